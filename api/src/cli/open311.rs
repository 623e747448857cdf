//! `gridops open311 key create|list|revoke`: the keys of Open311 client
//! applications, from the command line. Issued and revoked through the same
//! functions as `/api/v1/open311/keys`, and audited alike (by `command line`).

use clap::{Args, Subcommand};
use gridops_infra::repo::{now, open311};
use gridops_infra::{Db, DbError};

use super::CliError;
use crate::routes::open311_keys::{
    By, DEFAULT_PER_MINUTE, KeyView, MAX_PER_MINUTE, check_name, issue, revoke,
};

/// Who acts on the command line, for the audit trail.
const COMMAND_LINE: By<'static> = By {
    actor_id: None,
    client_addr: "command line",
};

#[derive(Debug, Subcommand)]
pub enum Open311Command {
    /// Issue, list and revoke client keys.
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Issue a key to a client application and print it, this once: only
    /// its hash is stored.
    Create(KeyCreateArgs),
    /// List the keys, newest first (never the keys themselves).
    List,
    /// Revoke a key: requests with it are refused from now on.
    Revoke {
        /// The key's id, as `create` and `list` print it.
        id: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct KeyCreateArgs {
    /// The client application the key is for (1 to 100 characters).
    #[arg(long)]
    pub name: String,
    /// Requests a minute the key may send.
    #[arg(long, default_value_t = DEFAULT_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PER_MINUTE)))]
    pub per_minute: u32,
}

/// Runs one `gridops open311` command; the text to print.
pub fn run(db: &Db, command: &Open311Command) -> Result<String, CliError> {
    match command {
        Open311Command::Key(KeyCommand::Create(args)) => create_key(db, args),
        Open311Command::Key(KeyCommand::List) => list_keys(db),
        Open311Command::Key(KeyCommand::Revoke { id }) => revoke_key(db, id),
    }
}

/// `gridops open311 key create`: the key, with its id and a reminder that
/// it is shown only now.
pub fn create_key(db: &Db, args: &KeyCreateArgs) -> Result<String, CliError> {
    let name = check_name(&args.name).map_err(|e| CliError::Usage(format!("--name: {e}")))?;
    if !(1..=MAX_PER_MINUTE).contains(&args.per_minute) {
        return Err(CliError::Usage(format!(
            "--per-minute: between 1 and {MAX_PER_MINUTE}"
        )));
    }
    let (row, key) =
        db.write_blocking(|conn| issue(conn, name, args.per_minute, COMMAND_LINE, now()))?;
    Ok(format!(
        "created Open311 key {id} for {name:?} ({per_minute} requests a minute)\n\
         key: {key}\n\
         Store this key now: it is shown only this once (gridops keeps only its hash).",
        id = row.id,
        name = row.name,
        per_minute = row.per_minute,
    ))
}

/// `gridops open311 key list`: one line per key, newest first.
pub fn list_keys(db: &Db) -> Result<String, CliError> {
    let rows = db.read_blocking(open311::list_keys)?;
    if rows.is_empty() {
        return Ok("no Open311 keys".to_owned());
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let key = KeyView::from(row);
            let state = match key.revoked_at {
                Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M:%S UTC")),
                None => "active".to_owned(),
            };
            format!(
                "{}  {}…  {:>4}/min  created {}  {state}  {}",
                key.id,
                key.key_prefix,
                key.per_minute,
                key.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                key.name
            )
        })
        .collect();
    Ok(lines.join("\n"))
}

/// `gridops open311 key revoke ID`: a key already revoked keeps its first time.
pub fn revoke_key(db: &Db, id: &str) -> Result<String, CliError> {
    let row = match db.write_blocking(|conn| revoke(conn, id, COMMAND_LINE, now())) {
        Ok(row) => row,
        Err(DbError::NotFound) => {
            return Err(CliError::Usage(format!("no Open311 key {id}")));
        }
        Err(e) => return Err(e.into()),
    };
    let at = row
        .revoked_at
        .map(|t| t.and_utc().format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    Ok(format!(
        "revoked Open311 key {} ({:?}) at {at}",
        row.id, row.name
    ))
}
