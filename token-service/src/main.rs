use clap::Parser;
use token_service::{cli::Cli, settings::Settings, startup::Application, telemetry};

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env().map(|s| cli.apply_to(s)) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("token-service: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format);
    let outcome = match Application::build(settings) {
        Ok(app) => app.run_until_stopped().await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "token service stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}
