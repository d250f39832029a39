use clap::Parser;
use std::io::BufRead;
use std::io::IsTerminal;
use std::process::ExitCode;
use token_service::cli::{Cli, Command};
use token_service::{accounts, settings::Settings, startup::Application, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::HashPassword) => hash_password(),
        Some(Command::GenerateKey) => {
            println!("{}", token_service::ids::generate_key());
            ExitCode::SUCCESS
        }
        Some(Command::PagePolicy { dir, twilio }) => {
            println!("{}", token_service::page_policy::for_dir(dir, *twilio));
            ExitCode::SUCCESS
        }
        None => serve(&cli).await,
    }
}

fn hash_password() -> ExitCode {
    let mut password = String::new();
    if std::io::stdin().lock().read_line(&mut password).is_err() || password.trim_end().is_empty() {
        eprintln!("token-service: type the password on standard input");
        return ExitCode::from(2);
    }
    println!(
        "{}",
        accounts::hash_password(password.trim_end_matches(['\r', '\n']))
    );
    ExitCode::SUCCESS
}

async fn serve(cli: &Cli) -> ExitCode {
    let settings = Settings::from_env()
        .map(|s| cli.apply_to(s))
        .and_then(|s| s.check_exposure().map(|()| s));
    let settings = match settings {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("token-service: {err}");
            return ExitCode::from(2);
        }
    };
    let _log_writer = telemetry::init(settings.log_format);
    let host = settings.host.clone();
    let scheme = if settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let serves_spa = settings.static_dir.is_some();
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("token-service: {err}");
            return ExitCode::from(2);
        }
    };
    if serves_spa {
        let base = format!("{scheme}://{host}:{}", app.port());
        println!("\nHearth is running at {base}/");
        println!("  Clinician sign-in: {base}/#/provider");
        // Standard output may be a log pipeline: the password goes only to
        // a person's terminal.
        if let Some(demo) = app.demo_login() {
            if std::io::stdout().is_terminal() {
                println!(
                    "  Demo clinician:    username {}  password {}",
                    demo.username, demo.password
                );
            } else {
                println!(
                    "  Demo clinician:    username {}  (password shown only on a terminal; or set CLINICIANS_FILE)",
                    demo.username
                );
            }
        }
        println!(
            "  To make a patient link: sign in, then create a visit; copy its patient link.\n"
        );
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "token service stopped with an error");
            ExitCode::FAILURE
        }
    }
}
