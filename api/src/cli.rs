//! The `gridops` command line. Every flag can also be set by a `GRIDOPS_*`
//! environment variable.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gridops_domain::account::{Username, check_password};
use gridops_domain::role::{Role, check_scope};
use gridops_infra::password::PasswordPolicy;
use gridops_infra::repo::users::{self, NewUser, RoleGrant};
use gridops_infra::repo::{areas, parties};
use gridops_infra::{Db, DbError, DbSettings, area_import, setup};

use crate::settings::{LogFormat, Settings};

/// The embedded default: one SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "gridops.db";

#[derive(Debug, Parser)]
#[command(
    name = "gridops",
    version,
    about = "Urban grid management backend (网格化管理)"
)]
pub struct Cli {
    /// Database: a SQLite file (`gridops.db`, `sqlite://path`) or `postgres://user@host/db`.
    /// Falls back to DATABASE_URL, then to ./gridops.db.
    #[arg(long, env = "GRIDOPS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Log format; default: pretty on a terminal, JSON otherwise.
    #[arg(long, env = "GRIDOPS_LOG_FORMAT", value_enum, global = true)]
    pub log_format: Option<LogFormat>,

    /// Connections in the database pool.
    #[arg(long, env = "GRIDOPS_POOL_SIZE", default_value_t = 10, global = true)]
    pub pool_size: u32,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document as YAML (what openapi.yaml holds).
    Openapi,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the area tree.
    #[command(subcommand)]
    Areas(AreasCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "GRIDOPS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo areas and parties (Zhengzhou, Gongyi) into an empty database.
    #[arg(long, env = "GRIDOPS_DEMO")]
    pub demo: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "GRIDOPS_WORKERS")]
    pub workers: Option<usize>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "GRIDOPS_MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds between checks for area changes made by other processes.
    #[arg(long, env = "GRIDOPS_AREA_RELOAD_SECS", default_value_t = 5)]
    pub area_reload_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "GRIDOPS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with one role; reads the password from the first line of stdin.
    Create(UserCreateArgs),
}

/// Role names as the API spells them (`grid_worker`).
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RoleArg {
    Resident,
    GridWorker,
    GridChief,
    Dispatcher,
    Handler,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Resident => Role::Resident,
            RoleArg::GridWorker => Role::GridWorker,
            RoleArg::GridChief => Role::GridChief,
            RoleArg::Dispatcher => Role::Dispatcher,
            RoleArg::Handler => Role::Handler,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// Login name: 3–64 letters, digits, `.`, `_`, `-`.
    #[arg(long, env = "GRIDOPS_USERNAME")]
    pub username: String,
    #[arg(long, env = "GRIDOPS_ROLE", value_enum)]
    pub role: RoleArg,
    /// Area the role is scoped to: a grid for grid workers and chiefs, a
    /// community/subdistrict/district for dispatchers, a community for residents.
    #[arg(long, env = "GRIDOPS_AREA")]
    pub area: Option<String>,
    /// Party code, for handlers.
    #[arg(long, env = "GRIDOPS_PARTY")]
    pub party: Option<String>,
    /// Name shown to others (default: the username).
    #[arg(long, env = "GRIDOPS_DISPLAY_NAME")]
    pub display_name: Option<String>,
    /// Mobile number (personal data: masked in responses).
    #[arg(long, env = "GRIDOPS_PHONE")]
    pub phone: Option<String>,
    /// `zh-CN` or `en`.
    #[arg(long, env = "GRIDOPS_LOCALE", default_value = "zh-CN", value_parser = ["zh-CN", "en"])]
    pub locale: String,
}

#[derive(Debug, Subcommand)]
pub enum AreasCommand {
    /// Import areas from a GeoJSON FeatureCollection (properties: code, name,
    /// name_en, level, parent_code). All or nothing: every problem is listed
    /// and nothing is stored while any remains. Running servers pick the
    /// change up within their reload interval.
    Import {
        /// The .geojson file.
        file: PathBuf,
    },
}

impl Cli {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned())
    }

    fn db_settings(&self) -> DbSettings {
        DbSettings {
            pool_size: self.pool_size,
            ..DbSettings::new(self.database_url())
        }
    }

    pub fn serve_settings(&self, args: &ServeArgs) -> Settings {
        Settings {
            bind: args.bind.clone(),
            database: self.db_settings(),
            demo: args.demo,
            workers: args.workers,
            max_body_bytes: args.max_body_bytes,
            area_reload_interval: Duration::from_secs(args.area_reload_secs.max(1)),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
        }
    }

    /// A migrated database, for the one-shot commands.
    pub fn open_database(&self) -> Result<Db, CliError> {
        let db = Db::connect(&self.db_settings())?;
        setup::migrate(&db)?;
        Ok(db)
    }
}

/// A command failed; the message is for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// `gridops user create`.
pub fn create_user(db: &Db, args: &UserCreateArgs, password: &str) -> Result<String, CliError> {
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    let username = Username::parse(&args.username).map_err(|e| usage(&e))?;
    check_password(password).map_err(|e| usage(&e))?;
    let role = Role::from(args.role);
    let area_level = match &args.area {
        None => None,
        Some(code) => match db.read_blocking(|conn| areas::find(conn, code)) {
            Ok(area) => Some(area.level),
            Err(DbError::NotFound) => {
                return Err(CliError::Usage(format!("no area with code {code}")));
            }
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(party) = &args.party
        && !db.read_blocking(|conn| parties::exists(conn, party))?
    {
        return Err(CliError::Usage(format!("no party with code {party}")));
    }
    check_scope(role, area_level, args.party.is_some()).map_err(|e| usage(&e))?;
    let password_hash = PasswordPolicy::default()
        .hash(password)
        .map_err(|e| usage(&e))?;
    let user = NewUser {
        display_name: args
            .display_name
            .clone()
            .unwrap_or_else(|| username.to_string()),
        username: username.to_string(),
        phone: args.phone.clone(),
        locale: args.locale.clone(),
        password_hash,
    };
    let grant = RoleGrant {
        role,
        area_code: args.area.clone(),
        party_code: args.party.clone(),
    };
    let id = db
        .write_blocking(|conn| {
            if users::username_taken(conn, &user.username)? {
                return Ok(None);
            }
            users::insert(conn, &user, &grant).map(Some)
        })?
        .ok_or_else(|| CliError::Usage(format!("username {username} is taken")))?;
    Ok(format!(
        "created user {username} ({id}) as {}",
        role.as_str()
    ))
}

/// The first line of `input`, without its line ending.
pub fn read_password(input: &mut impl BufRead) -> Result<String, CliError> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the password from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `gridops areas import`.
pub fn import_areas(db: &Db, file: &PathBuf) -> Result<String, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    match area_import::import(db, &text) {
        Ok(report) => Ok(format!(
            "imported {} areas (area revision {})",
            report.areas, report.revision
        )),
        Err(area_import::ImportError::Invalid(problems)) => {
            let mut message = format!("{} problem(s); nothing was imported:", problems.len());
            for p in &problems {
                let code = p.code.as_deref().unwrap_or("?");
                message.push_str(&format!(
                    "\n  feature {} ({code}) {}: {}",
                    p.feature, p.field, p.message
                ));
            }
            Err(CliError::Usage(message))
        }
        Err(area_import::ImportError::File(e)) => {
            Err(CliError::Usage(format!("{}: {e}", file.display())))
        }
        Err(area_import::ImportError::Db(e)) => Err(e.into()),
    }
}
