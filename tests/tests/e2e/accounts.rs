//! `gridops user create` against the database a running server uses.

use gridops_api::cli::{RoleArg, UserCreateArgs, create_user};
use gridops_domain::role::Role;
use gridops_infra::Db;
use gridops_infra::repo::users::{self, RoleGrant};
use gridops_tests::on_both_backends;
use reqwest::StatusCode;

use crate::import::{GUANLAN_GRID_2, open_db};

const PASSWORD: &str = "correct horse battery";

pub(crate) fn args(
    username: &str,
    role: RoleArg,
    area: Option<&str>,
    party: Option<&str>,
) -> UserCreateArgs {
    UserCreateArgs {
        username: username.to_owned(),
        role,
        area: area.map(str::to_owned),
        party: party.map(str::to_owned),
        display_name: None,
        phone: None,
        locale: "zh-CN".to_owned(),
    }
}

/// `gridops user create` through its library function, on a blocking thread.
pub(crate) async fn create(
    db: &Db,
    args: UserCreateArgs,
    password: &str,
) -> Result<String, String> {
    let db = db.clone();
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || create_user(&db, &Default::default(), &args, &password))
        .await
        .expect("user create does not panic")
        .map_err(|e| e.to_string())
}

pub(crate) async fn roles_of(db: &Db, username: &str) -> Vec<RoleGrant> {
    let db = db.clone();
    let username = username.to_owned();
    tokio::task::spawn_blocking(move || db.read_blocking(|conn| users::roles_of(conn, &username)))
        .await
        .expect("no panic")
        .expect("the roles are readable")
}

on_both_backends! {
    async fn a_grid_worker_is_created_once_and_scoped_to_a_grid(app) {
        let db = open_db(app);
        let message = create(&db, args("Wang.Li", RoleArg::GridWorker, Some(GUANLAN_GRID_2), None), PASSWORD)
            .await.expect("a grid worker on a grid is created");
        assert!(message.contains("wang.li"), "{message}");
        assert!(message.contains("grid_worker"), "{message}");
        assert_eq!(roles_of(&db, "wang.li").await, vec![RoleGrant {
            role: Role::GridWorker,
            area_code: Some(GUANLAN_GRID_2.to_owned()),
            party_code: None,
        }]);

        // Usernames are case-folded: the same name in other letters is taken.
        for again in ["wang.li", "WANG.LI"] {
            let err = create(&db, args(again, RoleArg::GridWorker, Some("410102003001001"), None), PASSWORD)
                .await.expect_err("the username is taken");
            assert!(err.contains("taken"), "{err}");
        }
        assert_eq!(roles_of(&db, "wang.li").await.len(), 1, "the first account is untouched");

        // The server keeps serving on the same database.
        let (status, body) = app.get_json(&format!("/api/v1/areas/{GUANLAN_GRID_2}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn a_scope_that_does_not_fit_the_role_is_refused(app) {
        let db = open_db(app);
        let err = create(&db, args("zhao.min", RoleArg::GridWorker, Some("410102003001"), None), PASSWORD)
            .await.expect_err("a community is not a grid");
        assert!(err.contains("community") && err.contains("grid"), "names the levels: {err}");

        let err = create(&db, args("zhao.min", RoleArg::GridWorker, None, None), PASSWORD)
            .await.expect_err("a grid worker needs a grid");
        assert!(err.contains("grid"), "{err}");

        let err = create(&db, args("zhao.min", RoleArg::Handler, None, None), PASSWORD)
            .await.expect_err("a handler needs a party");
        assert!(err.contains("party"), "{err}");

        let err = create(&db, args("zhao.min", RoleArg::Handler, None, Some("no-such-party")), PASSWORD)
            .await.expect_err("an unknown party");
        assert!(err.contains("no-such-party"), "{err}");

        let err = create(&db, args("zhao.min", RoleArg::GridWorker, Some("410102999001001"), None), PASSWORD)
            .await.expect_err("an unknown area");
        assert!(err.contains("410102999001001"), "{err}");

        let err = create(&db, args("zhao.min", RoleArg::GridWorker, Some(GUANLAN_GRID_2), None), "short12")
            .await.expect_err("a 7-character password");
        assert!(err.contains('8'), "says how long: {err}");

        assert_eq!(roles_of(&db, "zhao.min").await, vec![], "no failed attempt stored anything");

        let message = create(&db, args("zhao.min", RoleArg::Handler, None, Some("zy-heating")), PASSWORD)
            .await.expect("a handler of a known party is created");
        assert!(message.contains("zhao.min") && message.contains("handler"), "{message}");
        assert_eq!(roles_of(&db, "zhao.min").await, vec![RoleGrant {
            role: Role::Handler,
            area_code: None,
            party_code: Some("zy-heating".to_owned()),
        }]);
    }
}
