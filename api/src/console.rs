//! `/console/`: the dispatchers' web console, a client of the public API.
//!
//! Its files (top-level `console/`) are built into the binary, so the
//! service needs no Node step and no internet; `--console-dir` serves them
//! from disk instead while someone works on them. Every answer carries a
//! Content-Security-Policy without `unsafe-inline`/`unsafe-eval`: the
//! console loads only its own scripts and styles and talks only to this
//! origin (and to the basemap's tiles, if one is set).

use std::borrow::Cow;
use std::path::PathBuf;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use actix_web::middleware::Compress;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../console/"]
struct ConsoleFiles;

/// Where the console comes from and what it may load.
#[derive(Debug, Clone, Default)]
pub struct ConsoleSettings {
    /// Serve from this folder rather than from the binary.
    pub dir: Option<PathBuf>,
    /// A tile URL template (`https://…/{z}/{x}/{y}.png`).
    pub basemap: Option<String>,
}

/// One file of the console.
struct ConsoleFile {
    bytes: Cow<'static, [u8]>,
    etag: String,
}

impl ConsoleSettings {
    fn file(&self, path: &str) -> Option<ConsoleFile> {
        if path
            .split('/')
            .any(|part| part == ".." || part.starts_with('.'))
        {
            return None;
        }
        let bytes: Cow<'static, [u8]> = match &self.dir {
            Some(dir) => Cow::Owned(std::fs::read(dir.join(path)).ok()?),
            None => ConsoleFiles::get(path)?.data,
        };
        let etag = crate::conditional::etag_of(&bytes);
        Some(ConsoleFile { bytes, etag })
    }

    /// The origin of the basemap's tiles, for the policy's `img-src`.
    fn basemap_origin(&self) -> Option<String> {
        let url = self.basemap.as_deref()?;
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        // `{s}.tile.example.org` → any subdomain.
        let host = host.replace("{s}", "*");
        Some(format!("{scheme}://{host}"))
    }

    /// The Content-Security-Policy of every console answer.
    pub fn content_security_policy(&self) -> String {
        let tiles = self
            .basemap_origin()
            .map(|o| format!(" {o}"))
            .unwrap_or_default();
        format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; \
             img-src 'self' blob: data:{tiles}; connect-src 'self'; font-src 'self'; \
             manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }
}

/// `/console/…`, compressed (the first load is mostly scripts), and `/`
/// leading to it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/",
        web::get().to(|| async { web::Redirect::to("/console/") }),
    )
    .service(
        web::scope("/console")
            .wrap(Compress::default())
            .route(
                "",
                web::get().to(|| async { web::Redirect::to("/console/").permanent() }),
            )
            .route("/config.json", web::get().to(config))
            .route("/{path:.*}", web::get().to(serve)),
    );
}

/// What the page needs to know before it signs in.
async fn config(settings: web::Data<ConsoleSettings>, req: HttpRequest) -> HttpResponse {
    let body = serde_json::json!({ "basemap": settings.basemap });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    answer(
        &settings,
        &req,
        ConsoleFile {
            etag: crate::conditional::etag_of(&bytes),
            bytes: Cow::Owned(bytes),
        },
        "application/json",
    )
}

async fn serve(
    settings: web::Data<ConsoleSettings>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let path = path.into_inner();
    let asked = if path.is_empty() {
        "index.html"
    } else {
        path.as_str()
    };
    if let Some(file) = settings.file(asked) {
        let mime = mime_guess::from_path(asked).first_or_octet_stream();
        return answer(&settings, &req, file, mime.essence_str());
    }
    // A screen's address (`/console/cases/…`) is the page itself; a missing
    // file (`/console/app.css`) is a 404, not the page in its place.
    let last = asked.rsplit('/').next().unwrap_or_default();
    if !last.contains('.')
        && let Some(page) = settings.file("index.html")
    {
        return answer(&settings, &req, page, "text/html");
    }
    HttpResponse::NotFound()
        .insert_header((
            "Content-Security-Policy",
            settings.content_security_policy(),
        ))
        .content_type("text/plain; charset=utf-8")
        .body("not found")
}

fn answer(
    settings: &ConsoleSettings,
    req: &HttpRequest,
    file: ConsoleFile,
    mime: &str,
) -> HttpResponse {
    let content_type = match mime {
        "text/html" | "text/css" | "text/javascript" | "application/javascript" => {
            format!("{mime}; charset=utf-8")
        }
        other => other.to_owned(),
    };
    let fresh = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == file.etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((
            "Content-Security-Policy",
            settings.content_security_policy(),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Cross-Origin-Opener-Policy", "same-origin"))
        // Always revalidated: an upgrade of the binary shows at once, and an
        // unchanged file costs a 304.
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((ETAG, file.etag));
    if fresh {
        return response.finish();
    }
    response
        .insert_header((CONTENT_TYPE, content_type))
        .body(file.bytes.into_owned())
}
