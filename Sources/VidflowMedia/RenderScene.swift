/// Paints one frame of a render into a yuv420p frame of the output size.
protocol RenderScene {
    func draw(index: Int, count: Int, into frame: Frame) throws(MediaError)
}
