//! `impact-conversions`: validate, encode, submit and follow conversions from the shell.
//!
//! Exit codes: 0 success; 1 the input is invalid or impact.com refused it (retrying cannot
//! help); 2 usage, I/O or configuration error; 3 not delivered yet, retrying later can help
//! (`transport`, `timeout`, `rate_limited`, `unconfirmed`).

mod demo;

use clap::{Parser, Subcommand};
use impact_conversions::{
    allocate_discount, encode, validate::validate_json_str, Client, Conversion, Error, ErrorCode,
};
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "impact-conversions",
    version,
    about = "impact.com server-side conversion tracking"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a conversion (JSON) and print every error and warning as JSON.
    Validate {
        /// A JSON file, or - for standard input.
        #[arg(default_value = "-")]
        file: String,
    },
    /// Print the form body that would be sent for a conversion.
    Encode {
        #[arg(default_value = "-")]
        file: String,
    },
    /// Show how impact.com will spread OrderDiscount over the items.
    Discount {
        #[arg(default_value = "-")]
        file: String,
    },
    /// Submit a conversion (credentials from IMPACT_ACCOUNT_SID, IMPACT_AUTH_TOKEN,
    /// optional IMPACT_BASE_URL) and print the receipt as JSON.
    Submit {
        #[arg(default_value = "-")]
        file: String,
        /// Also wait until impact.com has processed it, up to this many seconds.
        #[arg(long, value_name = "SECONDS")]
        wait: Option<u64>,
    },
    /// Print the processing status of a submission (its id or QueuedUri).
    Status { submission: String },
    /// Run the impact.com emulator on loopback (prints IMPACT_SANDBOX_URL=...).
    Sandbox {
        #[command(flatten)]
        args: impact_sandbox::Args,
    },
    /// The whole journey on the embedded emulator: landing, cookie, order, retry, receipt.
    Demo,
}

fn read_input(file: &str) -> Result<String, ExitCode> {
    let mut text = String::new();
    let result = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    result.map_err(|e| {
        eprintln!("error: cannot read {file}: {e}");
        ExitCode::from(2)
    })?;
    Ok(text)
}

fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Prints the error as JSON on stderr and picks the exit code for its class.
fn fail(e: &Error) -> ExitCode {
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&e.to_json()).unwrap_or_default()
    );
    ExitCode::from(match e.code {
        ErrorCode::Config | ErrorCode::Internal => 2,
        _ if e.is_retryable() || e.code == ErrorCode::Unconfirmed => 3,
        _ => 1,
    })
}

fn conversion(file: &str) -> Result<Conversion, ExitCode> {
    Conversion::from_json_str(&read_input(file)?).map_err(|e| fail(&e))
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(2)
        })
}

fn run(cli: Cli) -> Result<(), ExitCode> {
    match cli.command {
        Command::Validate { file } => {
            let report = validate_json_str(&read_input(&file)?);
            print_json(&report);
            if !report.is_valid() {
                return Err(ExitCode::from(1));
            }
        }
        Command::Encode { file } => {
            println!("{}", encode(&conversion(&file)?).map_err(|e| fail(&e))?)
        }
        Command::Discount { file } => {
            print_json(&allocate_discount(&conversion(&file)?).map_err(|e| fail(&e))?)
        }
        Command::Submit { file, wait } => {
            let conversion = conversion(&file)?;
            let client = Client::from_env().map_err(|e| fail(&e))?;
            runtime()?.block_on(async {
                let receipt = client.submit(&conversion).await.map_err(|e| fail(&e))?;
                print_json(&receipt);
                if let Some(secs) = wait {
                    let status = client
                        .wait_for_submission(&receipt.queued_uri, Duration::from_secs(secs))
                        .await
                        .map_err(|e| fail(&e))?;
                    print_json(&status);
                    if status.failed() {
                        return Err(ExitCode::from(1));
                    }
                }
                Ok(())
            })?;
        }
        Command::Status { submission } => {
            let client = Client::from_env().map_err(|e| fail(&e))?;
            let status = runtime()?
                .block_on(client.submission_status(&submission))
                .map_err(|e| fail(&e))?;
            print_json(&status);
        }
        Command::Sandbox { args } => runtime()?
            .block_on(impact_sandbox::serve_forever(args))
            .map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(2)
            })?,
        Command::Demo => runtime()?.block_on(demo::run()).map_err(|e| {
            eprintln!("demo failed: {e}");
            ExitCode::from(1)
        })?,
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
