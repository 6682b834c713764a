//! Writes the generated OpenAPI document to `edge/openapi.json` (from the workspace root).
//! `--check` only compares, failing when the committed file is stale.

use std::process::ExitCode;

fn main() -> ExitCode {
    let text = tally_tools::openapi::render();
    let path = tally_tools::openapi::PATH;
    if std::env::args().any(|a| a == "--check") {
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed == text {
            println!("{path} is current");
            return ExitCode::SUCCESS;
        }
        eprintln!("{path} is stale: run `cargo run -p tally-tools --bin tally-openapi`");
        return ExitCode::FAILURE;
    }
    match std::fs::write(path, &text) {
        Ok(()) => {
            println!("wrote {path} ({} bytes)", text.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
