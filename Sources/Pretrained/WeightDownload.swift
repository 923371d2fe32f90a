import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP(S) download into a file, with progress and a way to stop, through Foundation's
/// URLSession (libcurl on Linux): no sockets of Loupe's own.
enum WeightDownload {
    static func run(url: String, to path: String, progress: @escaping WeightCache.Progress,
                    cacheFolder: String, fileName: String) throws(WeightsError) {
        func failed(_ reason: String) -> WeightsError {
            .downloadFailed(url: url, reason: reason, cacheFolder: cacheFolder, fileName: fileName)
        }
        guard let address = URL(string: url), let scheme = address.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw failed("not an http(s) URL")
        }
        let delegate = Delegate(path: path, progress: progress)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.downloadTask(with: address)
        delegate.task = task
        task.resume()
        // The progress callback is asked again every quarter second while no bytes arrive, so a
        // stalled download stops at Ctrl-C too, not only when its next bytes come.
        while delegate.done.wait(timeout: .now() + 0.25) == .timedOut { delegate.poll() }
        if let error = delegate.failure {
            try? FileManager.default.removeItem(atPath: path)
            throw failed(error)
        }
    }

    final class Delegate: NSObject, URLSessionDownloadDelegate, @unchecked Sendable {
        let path: String
        let progress: WeightCache.Progress
        let done = DispatchSemaphore(value: 0)
        var task: URLSessionDownloadTask?
        var failure: String?
        private var stopped = false
        // The callback runs on URLSession's queue and on the waiting thread (`poll`): one at a time.
        private let lock = NSLock()
        private var written: Int64 = 0
        private var expected: Int64?

        init(path: String, progress: @escaping WeightCache.Progress) {
            self.path = path
            self.progress = progress
        }

        func urlSession(_ session: URLSession, downloadTask: URLSessionDownloadTask, didWriteData bytesWritten: Int64,
                        totalBytesWritten: Int64, totalBytesExpectedToWrite: Int64) {
            report(written: totalBytesWritten, expected: totalBytesExpectedToWrite > 0 ? totalBytesExpectedToWrite : nil)
        }

        /// Asks the callback again with the bytes so far (the download may be stalled): nothing
        /// new written, the expected size unchanged.
        func poll() { report(written: 0, expected: nil) }

        private func report(written w: Int64, expected e: Int64?) {
            lock.lock()
            defer { lock.unlock() }
            written = max(written, w)
            expected = e ?? expected
            if progress(written, expected), !stopped {
                stopped = true
                task?.cancel()
            }
        }

        func urlSession(_ session: URLSession, downloadTask: URLSessionDownloadTask, didFinishDownloadingTo location: URL) {
            if let status = (downloadTask.response as? HTTPURLResponse)?.statusCode, status != 200 {
                failure = "the server answered HTTP \(status)"
                return
            }
            do {
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.moveItem(at: location, to: URL(fileURLWithPath: path))
            } catch {
                failure = "cannot keep the download in \(path): \(error.localizedDescription)"
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            lock.lock(); let wasStopped = stopped; lock.unlock()
            if wasStopped { failure = "stopped" }
            else if let error, failure == nil { failure = error.localizedDescription }
            done.signal()
        }
    }
}
