use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use gridops_api::cli::{self, AreasCommand, Cli, Command, UserCommand};
use gridops_api::delivery::Delivery;
use gridops_api::demo_users::{DEMO_PASSWORD, DEMO_USERS};
use gridops_api::escalation::Escalation;
use gridops_api::settings::LogFormat;
use gridops_api::{Application, openapi, telemetry};
use gridops_infra::demo::areas::demo_point_in_grid;
use gridops_infra::signals::{OUTBOX, Signals};

/// A demo grid (观澜社区第2网格) whose centre the start-up banner offers to locate.
const DEMO_GRID: &str = "410102003001002";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli
        .log_format
        .unwrap_or(if std::io::stderr().is_terminal() {
            LogFormat::Pretty
        } else {
            LogFormat::Json
        });
    telemetry::init(format);
    match run(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gridops: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: &Cli) -> Result<(), String> {
    match &cli.command {
        Command::Serve(args) => {
            let settings = cli.serve_settings(args);
            let app = Application::build(settings)
                .await
                .map_err(|e| e.to_string())?;
            let host = args.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            let base = format!("http://{host}:{}", app.port());
            println!(
                "gridops serving on {base} ({} database)",
                app.state().db.backend().as_str()
            );
            println!("  Console:      {base}/console/");
            println!("  API docs:     {base}/docs/");
            println!("  OpenAPI:      {base}/api/v1/openapi.json");
            if args.demo {
                if let Some((lng, lat)) = demo_point_in_grid(DEMO_GRID) {
                    println!(
                        "  locate:       {base}/api/v1/areas/locate?lat={lat:.6}&lng={lng:.6}"
                    );
                }
                println!(
                    "  demo logins (password `{DEMO_PASSWORD}`), POST {base}/api/v1/auth/login:"
                );
                for (username, name, role, _, _) in DEMO_USERS {
                    println!("    {username:<24} {:<12} {name}", role.as_str());
                }
            }
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Worker(args) => {
            let db = cli.open_database().map_err(|e| e.to_string())?;
            let mut settings = args.push.settings();
            settings.workers = settings.workers.max(1);
            let signals = Signals::start(&db, &[OUTBOX]);
            let delivery = Delivery::start(&db, &signals, &settings)?;
            let escalation = Escalation::start(&db, &signals, &args.escalation.settings());
            println!(
                "gridops delivering pushes: {} worker(s), {} sender, {} database",
                settings.workers,
                delivery.sender.name(),
                db.backend().as_str()
            );
            until_stopped().await;
            delivery.stop().await;
            escalation.stop().await;
            signals.stop();
            Ok(())
        }
        Command::Migrate => {
            let db = cli.open_database().map_err(|e| e.to_string())?;
            println!("database migrated ({})", db.backend().as_str());
            Ok(())
        }
        Command::Openapi => {
            print!("{}", openapi::yaml()?);
            Ok(())
        }
        Command::User(UserCommand::Create(args)) => {
            let password =
                cli::read_password(&mut std::io::stdin().lock()).map_err(|e| e.to_string())?;
            let db = cli.open_database().map_err(|e| e.to_string())?;
            let done = cli::create_user(&db, &cli.password_policy(), args, &password)
                .map_err(|e| e.to_string())?;
            println!("{done}");
            Ok(())
        }
        Command::Areas(AreasCommand::Import { file }) => {
            let db = cli.open_database().map_err(|e| e.to_string())?;
            let done = cli::import_areas(&db, file).map_err(|e| e.to_string())?;
            println!("{done}");
            Ok(())
        }
        Command::Open311(command) => {
            let db = cli.open_database().map_err(|e| e.to_string())?;
            let done = cli::open311::run(&db, command).map_err(|e| e.to_string())?;
            println!("{done}");
            Ok(())
        }
        Command::Stats(command) => {
            let db = cli.open_database().map_err(|e| e.to_string())?;
            cli::stats(&db, command).map_err(|e| e.to_string())
        }
    }
}

/// Until SIGINT or SIGTERM.
async fn until_stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
