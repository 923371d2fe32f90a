import LoupeLang
import TensorCore

// Under `mpirun -np N loupe run FILE` every rank runs every statement (docs/distributed.md).
// The executable puts the job's communicator in the run context; the commands that split their
// work across the ranks (train, fine_tune, resume, lr_range, lr_find, overfit, evaluate,
// predict) take it from there. Everything else runs whole on every rank, and only rank 0
// writes files (`writesFiles`) and prints.

extension CommandInvocation {
    /// The ranks sharing this command's work, nil for one process.
    var communicator: Communicator? {
        (context.processGroup as? Communicator).flatMap { $0.size > 1 ? $0 : nil }
    }
}
