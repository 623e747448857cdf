//! Other processes writing to the database while the server serves.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use gridops_api::cli::{RoleArg, create_user, import_areas};
use gridops_tests::on_both_backends;
use reqwest::StatusCode;
use tokio::task::JoinSet;

use crate::accounts::{args, roles_of};
use crate::import::{
    GUANLAN_GRID_1, GUANLAN_GRID_2, bounds, collection, feature, open_db, write_file,
};

const WRITERS: usize = 16;
const READS_PER_ROUND: usize = 50;

on_both_backends! {
    async fn sixteen_processes_create_users_while_the_server_serves_reads(app) {
        let (status, grids) = app.get_json(&format!("/api/v1/areas?level=grid&limit={WRITERS}")).await;
        assert_eq!(status, StatusCode::OK, "{grids}");
        let grids: Vec<String> = grids["items"].as_array().expect("items").iter()
            .filter_map(|g| g["code"].as_str().map(str::to_owned)).collect();
        assert_eq!(grids.len(), WRITERS);

        // Each writer has its own pool, as separate `gridops user create` runs would.
        let start = Arc::new(Barrier::new(WRITERS));
        let mut writers = JoinSet::new();
        for (i, grid) in grids.iter().enumerate() {
            let db = open_db(app);
            let start = start.clone();
            let args = args(&format!("worker-{i:02}"), RoleArg::GridWorker, Some(grid), None);
            writers.spawn_blocking(move || {
                start.wait();
                create_user(&db, &Default::default(), &args, "correct horse battery").map_err(|e| e.to_string())
            });
        }

        // Reads keep coming, fifty at a time, until every writer is done.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut reads = 0;
        let mut created = Vec::new();
        while created.len() < WRITERS || reads == 0 {
            assert!(Instant::now() < deadline, "writers still busy after a minute: {} done", created.len());
            let mut round = JoinSet::new();
            for _ in 0..READS_PER_ROUND {
                let request = app.client.get(app.url("/api/v1/areas?level=grid"));
                round.spawn(async move {
                    let response = request.send().await.expect("GET sent");
                    (response.status(), response.text().await.unwrap_or_default())
                });
            }
            while let Some(read) = round.join_next().await {
                let (status, body) = read.expect("a read task");
                assert_eq!(status, StatusCode::OK, "a read during the writes failed: {body}");
                assert!(body.contains("\"level\":\"grid\""), "grids listed: {body}");
                reads += 1;
            }
            while let Some(done) = writers.try_join_next() {
                created.push(done.expect("a writer thread"));
            }
        }

        let failures: Vec<&String> = created.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failures.is_empty(), "every user is created: {failures:?}");
        let db = open_db(app);
        for (i, grid) in grids.iter().enumerate() {
            let roles = roles_of(&db, &format!("worker-{i:02}")).await;
            assert_eq!(roles.len(), 1, "worker-{i:02}");
            assert_eq!(roles[0].area_code.as_deref(), Some(grid.as_str()));
        }
    }

    async fn of_two_racing_imports_of_overlapping_grids_one_is_refused(app) {
        // Several rounds, each under its own grid, so a race that is lost
        // only sometimes still shows.
        for grid in [GUANLAN_GRID_1, GUANLAN_GRID_2, "410102003001003", "410102003001004"] {
            let outline = bounds(app, grid).await;
            let files = [
                write_file(&collection(vec![feature(&format!("{grid}001"), "micro_grid", grid, outline.part(0.1, 0.6).ring())])),
                write_file(&collection(vec![feature(&format!("{grid}002"), "micro_grid", grid, outline.part(0.4, 0.9).ring())])),
            ];
            let start = Arc::new(Barrier::new(files.len()));
            let mut imports = JoinSet::new();
            for file in &files {
                let db = open_db(app);
                let path = file.path().to_path_buf();
                let start = start.clone();
                imports.spawn_blocking(move || {
                    start.wait();
                    import_areas(&db, &path).map_err(|e| e.to_string())
                });
            }
            let outcomes: Vec<Result<String, String>> = imports.join_all().await;
            let imported = outcomes.iter().filter(|r| r.is_ok()).count();
            let refused: Vec<&String> = outcomes.iter().filter_map(|r| r.as_ref().err()).collect();
            assert_eq!(imported, 1, "under {grid} exactly one import wins: {outcomes:?}");
            for message in &refused {
                assert!(message.contains("overlap"), "refused only for the overlap: {message}");
            }

            // What was stored is what was reported.
            let (status, detail) = app.get_json(&format!("/api/v1/areas/{grid}")).await;
            assert_eq!(status, StatusCode::OK, "{detail}");
            assert_eq!(detail["children"].as_array().expect("children").len(), imported, "{detail}");
        }
    }

    async fn of_two_racing_creates_of_one_username_one_account_is_stored(app) {
        let start = Arc::new(Barrier::new(2));
        let mut writers = JoinSet::new();
        for grid in [GUANLAN_GRID_1, GUANLAN_GRID_2] {
            let db = open_db(app);
            let start = start.clone();
            let args = args("li.na", RoleArg::GridWorker, Some(grid), None);
            writers.spawn_blocking(move || {
                start.wait();
                create_user(&db, &Default::default(), &args, "correct horse battery").map_err(|e| e.to_string())
            });
        }
        let outcomes: Vec<Result<String, String>> = writers.join_all().await;
        assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1, "{outcomes:?}");
        let db = open_db(app);
        assert_eq!(roles_of(&db, "li.na").await.len(), 1);
    }
}
