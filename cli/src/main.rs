//! `impact-conversions`: validate, encode and preview conversions from the shell.
//!
//! Exit codes: 0 success, 1 the input is invalid (or the API refused it), 2 usage or I/O.

mod demo;

use clap::{Parser, Subcommand};
use impact_conversions::{allocate_discount, encode, validate::validate_json_str, Conversion};
use std::io::Read;
use std::process::ExitCode;

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
    /// Walk through the seed page's example conversion.
    Demo,
}

fn read_input(file: &str) -> Result<String, String> {
    let mut text = String::new();
    let result = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    result.map_err(|e| format!("cannot read {file}: {e}"))?;
    Ok(text)
}

fn conversion(file: &str) -> Result<Conversion, ExitCode> {
    let text = read_input(file).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    Conversion::from_json_str(&text).map_err(|e| {
        eprintln!("{}", pretty(&e.to_json()));
        ExitCode::from(1)
    })
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn run(cli: Cli) -> Result<(), ExitCode> {
    match cli.command {
        Command::Validate { file } => {
            let text = read_input(&file).map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(2)
            })?;
            let report = validate_json_str(&text);
            println!(
                "{}",
                pretty(&serde_json::to_value(&report).unwrap_or_default())
            );
            if !report.is_valid() {
                return Err(ExitCode::from(1));
            }
        }
        Command::Encode { file } => {
            let body = encode(&conversion(&file)?).map_err(|e| {
                eprintln!("{}", pretty(&e.to_json()));
                ExitCode::from(1)
            })?;
            println!("{body}");
        }
        Command::Discount { file } => {
            let alloc = allocate_discount(&conversion(&file)?).map_err(|e| {
                eprintln!("{}", pretty(&e.to_json()));
                ExitCode::from(1)
            })?;
            println!(
                "{}",
                pretty(&serde_json::to_value(&alloc).unwrap_or_default())
            );
        }
        Command::Demo => demo::run().map_err(|e| {
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
