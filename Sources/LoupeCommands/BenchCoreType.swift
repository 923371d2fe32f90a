import TensorCore

/// The OpenBLAS core type the executable should re-execute itself with (setting
/// OPENBLAS_CORETYPE), or nil to keep OpenBLAS's own choice: see `BLAS.preferredCoreType`.
/// Nil whenever the user has set OPENBLAS_CORETYPE, so a re-executed process never loops.
public func preferredBLASCoreType() -> String? { BLAS.preferredCoreTypeForThisMachine() }

/// The libgomp variables the executable sets before starting again (see `OneDNN.threadEnvironment`).
public func preferredThreadEnvironment() -> [(String, String)] { OneDNN.threadEnvironment() }
