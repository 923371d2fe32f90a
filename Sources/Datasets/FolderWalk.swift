import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Lists the files below a folder the way a user sees them: symbolic links are followed, to
/// files and to folders, and a link that leads back into a folder already listed is not
/// followed again (a loop would otherwise never end).
///
/// `FileManager`'s enumerator reports a link as a link and never follows it, so a dataset
/// made of links (common when classes are assembled from other folders) lost its images.
enum FolderWalk {
    /// A folder's identity on disk: the same folder reached through two paths has one.
    private struct FolderID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private static func identity(_ path: String) -> (FolderID, isDirectory: Bool, isRegular: Bool)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }   // stat follows links; lstat would not
        let type = status.st_mode & S_IFMT
        return (FolderID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)), type == S_IFDIR, type == S_IFREG)
    }

    /// Regular files below `folder` (through links), and links whose target is gone (so they are
    /// listed as unreadable rather than silently dropped); names for which `skip` holds are left out.
    static func files(below folder: String, skip: (String) -> Bool) -> [String] {
        guard let (rootID, isDirectory, _) = identity(folder), isDirectory else { return [] }
        var seen: Set<FolderID> = [rootID]
        var pending = [folder]
        var files = [String]()
        while let current = pending.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: current) else { continue }
            for name in names where !skip(name) {
                let path = current + "/" + name
                guard let (id, isDirectory, isRegular) = identity(path) else {
                    if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil { files.append(path) }
                    continue
                }
                if isDirectory {
                    if seen.insert(id).inserted { pending.append(path) }
                } else if isRegular {
                    files.append(path)
                }
            }
        }
        return files.sorted()
    }
}

/// Regular files below `folder` as a dataset load lists them: recursively, through links,
/// sorted by path, hidden files and OS clutter left out.
public func datasetFiles(below folder: String) -> [String] { filesBelow(folder) }
