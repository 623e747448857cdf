//! Building and running the server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use gridops_infra::photos::FsPhotoStore;
use gridops_infra::repo::secrets;
use gridops_infra::token::new_secret;
use gridops_infra::{Db, DbError, DbSettings, setup};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use gridops_infra::signals::{INCIDENT_EVENTS, OUTBOX, Signals};

use crate::area_directory::AreaDirectory;
use crate::auth::TokenKeys;
use crate::delivery::Delivery;
use crate::demo_users;
use crate::error::{PROBLEM_JSON, problem};
use crate::escalation::Escalation;
use crate::openapi;
use crate::public::PublicReference;
use crate::request_id::{self, GridopsRootSpan};
use crate::routes;
use crate::routes::fallback::{RouteTable, no_route};
use crate::sessions::AuthConfig;
use crate::state::AppState;
use crate::track_retention::TrackRetention;
use crate::{metrics, settings::Settings};
use gridops_infra::workflow::Workflow;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
}

/// Start-up work on the database, off the async executor: migrations, demo
/// data, the signing key, the area map.
fn prepare(db: &Db, settings: &Settings) -> Result<(AreaDirectory, String), StartError> {
    let applied = setup::migrate(db)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    if settings.demo {
        match setup::load_demo(db, settings.demo_routing_rules)? {
            Some(loaded) => tracing::info!(
                areas = loaded.areas,
                parties = loaded.parties,
                "demo data loaded"
            ),
            None => tracing::info!("database already has areas; demo data not loaded"),
        }
        let created = demo_users::create(db, &settings.passwords)
            .map_err(|e| StartError::Config(format!("demo users: {e}")))?;
        if created > 0 {
            tracing::info!(created, "demo logins created");
        }
        // The demo worker on nights, once the demo logins exist.
        if db.write_blocking(|conn| {
            gridops_infra::demo::rosters::seed_if_empty(conn, gridops_infra::repo::now())
        })? {
            tracing::info!("demo duty roster loaded");
        }
    }
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.expose().to_owned(),
        None => db.write_blocking(|conn| {
            secrets::get_or_create(conn, JWT_SECRET_NAME, || {
                new_secret()
                    .map_err(|e| DbError::Other(format!("no randomness for the signing key: {e}")))
            })
        })?,
    };
    Ok((AreaDirectory::load(db)?, secret))
}

/// Where the generated access-token key is kept in the embedded default.
const JWT_SECRET_NAME: &str = "jwt_hs256";

pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
    watcher: tokio::task::JoinHandle<()>,
    delivery: Delivery,
    escalation: Escalation,
    retention: TrackRetention,
}

impl Application {
    /// Connects, migrates, loads demo data if asked, loads the area map and
    /// binds; the server starts when [`Application::run_until_stopped`] is awaited.
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let db = Db::connect(&settings.database)?;
        let prepared = {
            let (db, settings) = (db.clone(), settings.clone());
            tokio::task::spawn_blocking(move || prepare(&db, &settings))
                .await
                .map_err(|e| DbError::Other(e.to_string()))??
        };
        let (areas, secret) = prepared;
        let keys = TokenKeys::new(secret.as_bytes(), settings.access_token_ttl)
            .map_err(|e| StartError::Config(e.to_string()))?;
        let auth = Arc::new(AuthConfig {
            keys,
            refresh_ttl: settings.refresh_token_ttl,
            passwords: settings.passwords,
        });
        let areas = Arc::new(areas);
        let watcher = areas
            .clone()
            .watch(db.clone(), settings.area_reload_interval);

        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartError::Bind {
            bind: settings.bind.clone(),
            source,
        })?;
        let port = listener.local_addr()?.port();
        let signals = Signals::start(&db, &[OUTBOX, INCIDENT_EVENTS]);
        let delivery =
            Delivery::start(&db, &signals, &settings.push).map_err(StartError::Config)?;
        let escalation = Escalation::start(&db, &signals, &settings.escalation);
        // A replica for the KPIs, never migrated from here: the primary's
        // migrations reach it by replication.
        let stats_db = match &settings.stats.database_url {
            None => db.clone(),
            Some(url) => Db::connect(&DbSettings {
                url: url.clone(),
                ..settings.database.clone()
            })
            .map_err(|e| StartError::Config(format!("--stats-database-url: {e}")))?,
        };
        let state = AppState {
            db: db.clone(),
            areas,
            auth,
            photos: Arc::new(FsPhotoStore::new(settings.photo_dir.clone())),
            delivery_stats: delivery.stats.clone(),
            workflow: Workflow::new(
                db.clone(),
                signals.clone(),
                settings.escalation.warn_fraction,
            )
            .with_evidence_radius(settings.evidence_radius),
            signals,
            tracks: settings.patrols.tracks,
            track_writers: Arc::new(tokio::sync::Semaphore::new(
                (settings.database.pool_size as usize / 2).max(1),
            )),
            public: Arc::new(PublicReference::new(&settings)),
            open311: Arc::new(crate::open311::Open311Config::new(
                settings.open311_jurisdiction.clone(),
            )),
            hotspots: settings.hotspots,
            stats_db,
            kpi_rules: Arc::new(settings.stats.rules.clone()),
        };
        let retention = TrackRetention::start(&db, &settings.patrols);
        let document = openapi::document();
        let route_table = web::Data::new(RouteTable::from_openapi(&document));
        let metrics = metrics::build(&db, state.delivery_stats.clone(), escalation.stats.clone())
            .map_err(StartError::Metrics)?;
        let max_body = settings.max_body_bytes;
        let app_state = web::Data::new(state.clone());
        let console_settings = web::Data::new(settings.console.clone());

        let mut server = HttpServer::new(move || {
            App::new()
                // Before the /api/v1 scope, which would otherwise take the path.
                .service(
                    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", document.clone()),
                )
                .route(
                    "/docs",
                    web::get().to(|| async { web::Redirect::to("/docs/").permanent() }),
                )
                .app_data(console_settings.clone())
                .configure(crate::console::configure)
                .into_utoipa_app()
                .app_data(app_state.clone())
                .app_data(route_table.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .configure(routes::configure)
                .default_service(web::to(no_route))
                .into_app()
                .wrap(ErrorHandlers::new().default_handler(as_problem))
                .wrap(TracingLogger::<GridopsRootSpan>::new())
                .wrap(metrics.clone())
                .wrap(from_fn(request_id::middleware))
        })
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        let server = server.listen(listener)?.run();
        Ok(Application {
            server,
            port,
            state,
            watcher,
            delivery,
            escalation,
            retention,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops the server (gracefully, like SIGTERM) from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let closing = tokio::spawn(close_streams_on_signal(self.state.signals.clone()));
        let result = self.server.await;
        closing.abort();
        self.watcher.abort();
        self.delivery.stop().await;
        self.escalation.stop().await;
        self.retention.stop();
        self.state.signals.stop();
        result
    }
}

/// actix stops the server by itself on SIGTERM/SIGINT and waits for open
/// responses; this tells the endless ones (event streams) to finish, so that
/// the graceful stop need not wait for its timeout.
async fn close_streams_on_signal(signals: gridops_infra::signals::Signals) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    signals.raise_local(gridops_infra::signals::SHUTDOWN);
}

/// Error responses that did not come from our handlers (actix's own 413,
/// 400s from its extractors, a panic's 500) are rewritten as problem+json,
/// so that clients parse one error format.
fn as_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let content_type = res.response().headers().get(CONTENT_TYPE);
    let already = content_type.is_some_and(|v| v == HeaderValue::from_static(PROBLEM_JSON));
    // Open311 answers its errors in the spec's own shape (XML or JSON).
    let open311 = res.request().path().starts_with("/open311/")
        && content_type.is_some_and(|v| {
            v == HeaderValue::from_static(crate::open311::format::XML_CONTENT_TYPE)
                || v == HeaderValue::from_static(crate::open311::format::JSON_CONTENT_TYPE)
        });
    if already || open311 {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status.as_u16() {
        400 => "malformed_request",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        s if s >= 500 => "internal",
        _ => "client_error",
    };
    let detail = status.canonical_reason().unwrap_or("error").to_lowercase();
    let (req, _) = res.into_parts();
    let body: HttpResponse<BoxBody> = HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .json(problem(status, code, &detail, Vec::new()));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, body).map_into_right_body(),
    ))
}
