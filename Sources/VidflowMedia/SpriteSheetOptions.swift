/// How `SpriteSheet` lays out a grid of evenly spaced frames and compresses it.
public struct SpriteSheetOptions: Sendable, Equatable {
    /// The largest number of columns or rows a sheet may have.
    public static let maxGrid = 20

    public var columns: Int
    public var rows: Int
    /// Width of one tile in pixels (rounded down to even, as 4:2:0 needs).
    public var tileWidth: Int
    /// Height of one tile; nil derives it from the video's aspect ratio.
    public var tileHeight: Int?
    /// JPEG quality 1–100 (mapped to the mjpeg encoder's qscale 31–2).
    public var quality: Int

    public init(columns: Int = 5, rows: Int = 5, tileWidth: Int = 256, tileHeight: Int? = nil, quality: Int = 80) {
        self.columns = columns
        self.rows = rows
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.quality = quality
    }

    /// How many frames the sheet shows.
    public var tileCount: Int { columns * rows }

    /// The mjpeg qscale for `quality`, as the thumbnailer maps it.
    var qscale: Int { ThumbnailOptions(quality: quality).qscale }

    /// The even tile size for a source of `width`×`height`.
    func tileSize(sourceWidth width: Int, sourceHeight height: Int) -> (width: Int, height: Int) {
        let tileW = max(2, tileWidth & ~1)
        let derived = Int((Double(tileW) * Double(height) / Double(max(1, width))).rounded())
        let tileH = max(2, (tileHeight ?? derived) & ~1)
        return (tileW, tileH)
    }

    func validate() throws(MediaError) {
        guard (1...Self.maxGrid).contains(columns) else { throw MediaError.invalidOptions("columns must be 1...\(Self.maxGrid), got \(columns)") }
        guard (1...Self.maxGrid).contains(rows) else { throw MediaError.invalidOptions("rows must be 1...\(Self.maxGrid), got \(rows)") }
        guard (16...1920).contains(tileWidth) else { throw MediaError.invalidOptions("tile_width must be 16...1920, got \(tileWidth)") }
        if let tileHeight, !(16...1920).contains(tileHeight) {
            throw MediaError.invalidOptions("tile_height must be 16...1920, got \(tileHeight)")
        }
        guard (1...100).contains(quality) else { throw MediaError.invalidOptions("quality must be 1...100, got \(quality)") }
    }
}

/// What `SpriteSheet.make` wrote: the sheet's size, its grid, and the time of each tile's frame.
public struct SpriteSheetResult: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var tileWidth: Int
    public var tileHeight: Int
    public var columns: Int
    public var rows: Int
    /// Seconds into the video of each tile, row by row.
    public var frameTimes: [Double]
}
