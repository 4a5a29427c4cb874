//! `impact-sandbox`: the emulator as a process, for tests in other languages.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = impact_sandbox::Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("impact-sandbox: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match runtime.block_on(impact_sandbox::serve_forever(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("impact-sandbox: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
