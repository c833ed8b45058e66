#ifndef VIDFLOW_CFFMPEG_SHIM_H
#define VIDFLOW_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

/* Function-like and compound macros Swift cannot import. */
static inline int vf_averror(int errnum) { return AVERROR(errnum); }
static inline int vf_averror_eof(void) { return AVERROR_EOF; }
static inline int vf_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int vf_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int vf_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int vf_averror_enomem(void) { return AVERROR(ENOMEM); }
static inline int64_t vf_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational vf_time_base_q(void) { return AV_TIME_BASE_Q; }

#endif
