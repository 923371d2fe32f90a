import Imaging

/// A rectangle of pixels: left, top, width, height.
public struct PixelRegion: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var description: String { "(\(x), \(y), \(width), \(height))" }

    /// The part inside a `width` × `height` image; nil when nothing is inside.
    public func clipped(toWidth w: Int, height h: Int) -> PixelRegion? {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(w, x + width), y1 = min(h, y + height)
        return x1 > x0 && y1 > y0 ? PixelRegion(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
    }
}

extension Dataset {
    /// Keeps a region of interest of every image (`crop d roi=(X, Y, W, H)`), relative to the
    /// sample (so cropping a tile crops within the tile).
    ///
    /// A region reaching past an image's edge keeps the part inside; images it misses entirely
    /// are left out and listed in `unreadable`. Splits and the preset test split follow.
    public func cropping(to roi: PixelRegion) throws -> Dataset {
        guard roi.width > 0, roi.height > 0, roi.x >= 0, roi.y >= 0 else {
            throw DatasetError.invalidParameter(name: "roi", value: "\(roi)", reason: "needs x, y ≥ 0 and a positive width and height")
        }
        var d = self
        var keep = [Int]()
        for i in samples.indices {
            let s = samples[i]
            guard let shape = shapeOf(i, listingFailuresIn: &d) else { continue }
            let base = s.region ?? PixelRegion(x: 0, y: 0, width: shape.width, height: shape.height)
            let local = PixelRegion(x: base.x + roi.x, y: base.y + roi.y, width: roi.width, height: roi.height)
            guard let r = local.clipped(toWidth: base.x + base.width, height: base.y + base.height) else {
                d.unreadable.append(UnreadableFile(path: s.displayName, reason: "roi \(roi) lies outside the \(base.width)x\(base.height) image"))
                continue
            }
            d.samples[i].region = r
            d.samples[i].shape = ImageShape(width: r.width, height: r.height, channels: shape.channels)
            keep.append(i)
        }
        return d.keeping(sampleIndices: keep)
    }

    /// Cuts every image into `rows` × `columns` patches (`tile d RxC`); each patch keeps its
    /// image's label and subset, so tiles of one picture never straddle train and test.
    public func tiling(rows: Int, columns: Int) throws -> Dataset {
        guard rows >= 1, columns >= 1 else {
            throw DatasetError.invalidParameter(name: "tile", value: "\(rows)x\(columns)", reason: "needs at least 1x1")
        }
        var d = self
        d.samples = []
        var expansion = [[Int]](repeating: [], count: samples.count)
        for i in samples.indices {
            let s = samples[i]
            guard let shape = shapeOf(i, listingFailuresIn: &d) else { continue }
            let base = s.region ?? PixelRegion(x: 0, y: 0, width: shape.width, height: shape.height)
            guard base.width >= columns, base.height >= rows else {
                d.unreadable.append(UnreadableFile(path: s.displayName, reason: "\(base.width)x\(base.height) is too small for \(rows)x\(columns) tiles"))
                continue
            }
            for r in 0..<rows {
                for c in 0..<columns {
                    let x0 = base.width * c / columns, x1 = base.width * (c + 1) / columns
                    let y0 = base.height * r / rows, y1 = base.height * (r + 1) / rows
                    var t = s
                    t.region = PixelRegion(x: base.x + x0, y: base.y + y0, width: x1 - x0, height: y1 - y0)
                    t.shape = ImageShape(width: x1 - x0, height: y1 - y0, channels: shape.channels)
                    expansion[i].append(d.samples.count)
                    d.samples.append(t)
                }
            }
        }
        func expand(_ list: [Int]) -> [Int] { list.flatMap { expansion[$0] } }
        d.presetTest = presetTest.map(expand)
        if let split {
            d.split = DatasetSplit(train: expand(split.train), val: expand(split.val), test: expand(split.test),
                                   seed: split.seed, fractions: split.fractions)
        }
        return d
    }

    /// The decoded shape of sample `i` (decoding it when unknown); nil, and listed in
    /// `unreadable`, when it cannot be read.
    private func shapeOf(_ i: Int, listingFailuresIn d: inout Dataset) -> ImageShape? {
        if let s = samples[i].shape { return s }
        do {
            let image = try store.image(samples[i].source)
            return ImageShape(width: image.width, height: image.height, channels: image.channels)
        } catch let DatasetError.unreadable(_, reason) {
            d.unreadable.append(UnreadableFile(path: samples[i].name, reason: reason))
        } catch {
            d.unreadable.append(UnreadableFile(path: samples[i].name, reason: String(describing: error)))
        }
        return nil
    }
}
