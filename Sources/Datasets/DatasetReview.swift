import Foundation
import TensorCore
import Imaging

/// A finding of `review` that deserves the user's attention.
public struct ReviewWarning: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case underHalfOfLargest, fewerThanTen, belowProduction, unreadable, exactDuplicates, nearDuplicates, leakage
    }
    public var kind: Kind
    /// The class concerned, when the warning is about one.
    public var className: String?
    public var message: String
}

/// Minimum, median and maximum of a list of numbers.
public struct Spread: Sendable, Equatable {
    public var min: Double
    public var median: Double
    public var max: Double

    init(_ values: [Double]) {
        let s = values.sorted()
        min = s.first ?? 0
        max = s.last ?? 0
        median = s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }
}

/// Image sizes, aspect ratios (width / height) and channel counts across the readable images.
public struct SizeSummary: Sendable, Equatable {
    public var width: Spread
    public var height: Spread
    public var aspectRatio: Spread
    /// The most common sizes with their counts, most common first (at most 10).
    public var commonSizes: [(width: Int, height: Int, count: Int)]
    /// Images per channel count (1 grey, 3 RGB, 4 RGBA).
    public var channels: [Int: Int]

    public static func == (a: SizeSummary, b: SizeSummary) -> Bool {
        a.width == b.width && a.height == b.height && a.aspectRatio == b.aspectRatio && a.channels == b.channels
            && a.commonSizes.map { [$0.width, $0.height, $0.count] } == b.commonSizes.map { [$0.width, $0.height, $0.count] }
    }
}

/// What `review` found: numbers and sample choices only; the Plot layer draws the figures.
public struct DatasetReview: Sendable {
    public var classes: [String]
    /// Images per class, in class order.
    public var counts: [Int]
    /// Images per class in each subset present (train/val/test, or train/test for IDX).
    public var subsetCounts: [Subset: [Int]]
    public var warnings: [ReviewWarning]
    public var sizes: SizeSummary
    /// Files skipped at load time plus those that failed to decode during the review.
    public var unreadable: [UnreadableFile]
    public var excludedClasses: [ExcludedClass]
    public var exactDuplicates: [DuplicateGroup]
    public var nearDuplicates: [DuplicateGroup]
    /// Duplicate groups (exact or near) whose members sit in different subsets.
    public var leakage: [DuplicateGroup]
    /// Per class, the sample indices to show in its montage.
    public var montage: [[Int]]
    /// Per class, the mean image (where the content sits); nil for a class without readable images.
    public var meanImages: [Image?]
}

/// Settings of `review`.
public struct ReviewOptions: Sendable {
    /// Largest difference-hash distance (bits of 64) at which two images count as near duplicates.
    public var nearThreshold = 4
    /// Largest mean pixel difference (0…255, after removing brightness) between 16×16 grey
    /// thumbnails of two images the hash calls near duplicates; pairs above it are different pictures.
    public var nearPixelDifference = 6.0
    /// Samples per class in the montage.
    public var montagePerClass = 8
    /// Longest side of the mean images (smaller datasets keep their own size).
    public var meanImageSide = 64
    /// Threads that decode side by side.
    public var workers = Parallel.threads
    public var seed: UInt64 = 0
    public init() {}
}
