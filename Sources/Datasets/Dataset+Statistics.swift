import Imaging
import TensorCore
import LoupeBase

extension Dataset {
    /// Per-channel mean and standard deviation (0…1) of up to `limit` seeded, randomly chosen
    /// images in `channels` channels, for `normalize=dataset`. Unreadable images are skipped.
    ///
    /// Computed on the images as stored (before resizing): resizing barely moves these averages.
    public func channelStatistics(channels: Int, limit: Int = 2000, seed: UInt64 = 0) -> ChannelStatistics {
        var stats = ChannelStatistics(channels: channels)
        var rng = SeededGenerator(seed: seed, stream: 0x57A7)
        for i in rng.permutation(count).prefix(limit) {
            guard let image = try? image(at: i), let converted = try? image.withChannels(channels) else { continue }
            try? stats.add(converted)
        }
        return stats
    }
}
