// The `loupe` executable: REPL, script runner, help, version, benchmarks.
import Glibc
import LoupeBench
import LoupeCommands
import LoupeLang
import LoupeMPI
import TensorCore

let usage = """
usage: loupe                      REPL on a terminal; a script when stdin is not a terminal
       loupe run FILE|- [--notebook OUT.html|OUT.ipynb] [--seed N] [--workdir DIR] [--quiet]
       loupe notebook FILE.loupe OUT.ipynb
       loupe kernel install [--user | --sys-prefix | --prefix DIR]
       loupe kernel -f CONNECTION_FILE
       loupe bench [NAME...]
       loupe help [COMMAND]
       loupe --version
"""

// OpenBLAS picks its kernels and libgomp (oneDNN's and the engine's threads) its wait policy
// when the libraries load: run again once with OPENBLAS_CORETYPE (on a CPU with AVX-512 that
// OpenBLAS takes for an older core) and GOMP_SPINCOUNT set. Neither is asked for when the user
// set the variable, so there is no loop (see `BLAS.preferredCoreTypeForThisMachine`,
// `OneDNN.threadEnvironment`).
// Under mpirun each rank also gets its share of the cores (OMP_NUM_THREADS, unless set).
let startEnvironment = (BLAS.preferredCoreTypeForThisMachine().map { [("OPENBLAS_CORETYPE", $0)] } ?? []) + OneDNN.threadEnvironment()
    + RankThreads.environment()
if !startEnvironment.isEmpty {
    for (name, value) in startEnvironment { setenv(name, value, 1) }
    execv("/proc/self/exe", CommandLine.unsafeArgv)   // returns only on failure: carry on as we are
}

let interpreter = Interpreter(registry: makeCommandRegistry())
let arguments = Array(CommandLine.arguments.dropFirst())
var status: Int32

// Launched by mpirun: scripts run on every rank (docs/distributed.md); alone, MPI is never touched.
let runsScript = arguments.first == "run" || (arguments.first.map { $0.hasSuffix(".loupe") && !$0.hasPrefix("-") } ?? false)
var group: MPICommunicator?
if MPICommunicator.isLaunchedByMPI && (runsScript || arguments.first == "bench") {
    guard let started = MPICommunicator.start() else {
        Output.err("loupe: launched by mpirun, but MPI could not start (see Open MPI's message above)\n")
        exit(70)
    }
    group = started
}

switch arguments.first {
case nil:
    status = Output.stdinIsTerminal ? REPL(interpreter: interpreter).run()
        : ScriptRunner(interpreter: interpreter).runStandardInput()
case "run":
    status = ScriptRunner(interpreter: interpreter, group: group).run(arguments: Array(arguments.dropFirst()))
case "kernel":
    status = KernelCommand(interpreter: interpreter).run(arguments: Array(arguments.dropFirst()))
case "notebook":
    status = ScriptRunner(interpreter: interpreter).convert(arguments: Array(arguments.dropFirst()))
case "help":
    status = HelpCommand(interpreter: interpreter).run(arguments: Array(arguments.dropFirst()))
case "--version", "version":
    Output.out("loupe \(REPL.version)\n")
    status = 0
case "--help", "-h":
    Output.out(usage + "\n")
    status = 0
case "bench":
    status = runBench(arguments: Array(arguments.dropFirst()), communicator: group,
                      output: { line in if (group?.rank ?? 0) == 0 { Output.out(line + "\n") } })
case let first? where first.hasSuffix(".loupe") && !first.hasPrefix("-"):
    status = ScriptRunner(interpreter: interpreter, group: group).run(arguments: arguments)
case let first?:
    Output.err("loupe: unknown command '\(first)'\n\(usage)\n")
    status = 64
}
group?.finish()
exit(status)
