//! One demo login per role, created with the demo data so that every part
//! of the API can be tried at once. Never created outside `--demo`.

use gridops_domain::role::Role;
use gridops_infra::Db;
use gridops_infra::password::PasswordPolicy;
use gridops_infra::repo::users::RoleGrant;

use crate::accounts::{AccountError, AccountRequest, create_account};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "gridops-demo";

/// (username, display name, role, area, party)
pub type DemoUser = (
    &'static str,
    &'static str,
    Role,
    Option<&'static str>,
    Option<&'static str>,
);

pub const DEMO_USERS: &[DemoUser] = &[
    ("admin", "系统管理员", Role::Admin, None, None),
    (
        "dispatcher.hanghaixilu",
        "航海西路街道调度员",
        Role::Dispatcher,
        Some("410102003"),
        None,
    ),
    (
        "dispatcher.gongyi",
        "巩义市调度员",
        Role::Dispatcher,
        Some("410181"),
        None,
    ),
    (
        "chief.guanlan",
        "观澜社区网格长",
        Role::GridChief,
        Some("410102003001002"),
        None,
    ),
    (
        "worker.guanlan",
        "观澜社区网格员",
        Role::GridWorker,
        Some("410102003001002"),
        None,
    ),
    (
        "handler.heating",
        "热力公司维修员",
        Role::Handler,
        None,
        Some("zy-heating"),
    ),
    (
        "resident.guanlan",
        "观澜社区居民",
        Role::Resident,
        Some("410102003001"),
        None,
    ),
    ("auditor", "审计员", Role::Auditor, None, None),
];

/// Creates the demo logins that do not exist yet.
pub fn create(db: &Db, passwords: &PasswordPolicy) -> Result<usize, AccountError> {
    let mut created = 0;
    for (i, (username, name, role, area, party)) in DEMO_USERS.iter().enumerate() {
        let request = AccountRequest {
            username: (*username).to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            display_name: Some((*name).to_owned()),
            // Obviously fake numbers: 139 0000 00xx.
            phone: Some(format!("139000000{i:02}")),
            locale: "zh-CN".to_owned(),
            grant: RoleGrant {
                role: *role,
                area_code: area.map(str::to_owned),
                party_code: party.map(str::to_owned),
            },
        };
        match create_account(db, passwords, &request, None, None) {
            Ok(_) => created += 1,
            Err(AccountError::Taken(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}
