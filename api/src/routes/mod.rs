//! HTTP routes, one file per action, grouped by resource.

pub mod areas;
pub mod auth;
pub mod calendar;
pub mod campaigns;
pub mod categories;
pub mod category_publicity;
pub mod checklist_templates;
pub mod checks;
pub mod events;
pub mod fallback;
pub mod feed;
pub mod health;
pub mod hotspots;
pub mod incidents;
pub mod ledger;
pub mod me;
pub mod notifications;
pub mod open311_keys;
pub mod open311_waiting;
pub mod parties;
pub mod patrols;
pub mod rosters;
pub mod routing;
pub mod stats;
pub mod time_limits;
pub mod users;

use crate::open311;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every route, for the app and for the OpenAPI document alike. Fixed paths
/// are registered before `{code}` so `locate` is never taken for a code.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope::scope("/api/v1")
                .service(areas::list::list_areas)
                .service(areas::locate::locate)
                .service(areas::validate::validate_area_file)
                .service(areas::get::get_area)
                .service(areas::geometry::area_geometry)
                .service(categories::list_categories)
                .service(time_limits::get_time_limits)
                .service(time_limits::put_time_limits)
                .service(category_publicity::put_public_reports)
                .service(calendar::get_calendar)
                .service(calendar::put_week)
                .service(calendar::put_day)
                .service(calendar::delete_day)
                .service(parties::list_parties)
                .service(auth::login::login)
                .service(auth::refresh::refresh)
                .service(auth::logout::logout)
                .service(auth::register::register)
                .service(me::me)
                .service(feed::my_feed)
                .service(checks::mine::my_checks)
                .service(checks::get::get_check)
                .service(checks::answer::answer_item)
                .service(users::list::list_users)
                .service(users::create::create_user)
                .service(users::get::get_user)
                .service(users::disable::disable_user)
                .service(users::grant::grant_role)
                .service(users::revoke::revoke_role)
                .service(incidents::list::list_incidents)
                .service(incidents::create::create_incident)
                .service(incidents::queue::queue_counts)
                .service(incidents::duplicates::duplicates_of_report)
                .service(incidents::get::get_incident)
                .service(incidents::accept::accept)
                .service(incidents::reject::reject)
                .service(incidents::dispatch::dispatch)
                .service(incidents::acknowledge::acknowledge)
                .service(incidents::return_case::return_case)
                .service(incidents::resolve::resolve)
                .service(incidents::resolve_on_spot::resolve_on_spot)
                .service(incidents::verify::verify)
                .service(incidents::reopen::reopen)
                .service(incidents::rate::rate)
                .service(incidents::comment::comment_on)
                .service(incidents::reporter::get_reporter)
                .service(incidents::reporter::reveal_reporter)
                .service(incidents::verify_chain::verify_chain)
                .service(incidents::duplicates::duplicates_of_incident)
                .service(incidents::assists::call_assists)
                .service(incidents::assists::acknowledge_assist)
                .service(incidents::assists::report_assist)
                .service(incidents::clocks::incident_deadlines)
                .service(incidents::clock_requests::ask_suspension)
                .service(incidents::clock_requests::ask_extension)
                .service(incidents::clock_requests::ask_clock_request)
                .service(incidents::clock_requests::approve_clock_request)
                .service(incidents::clock_requests::refuse_clock_request)
                .service(incidents::clock_requests::end_suspension)
                .service(incidents::clock_requests::end_clock_request)
                .service(incidents::ledger_review::review_ledger_entry)
                .service(ledger::list_ledger)
                .service(incidents::photos::upload_photo)
                .service(incidents::photos::get_photo)
                .service(hotspots::links::link_incidents)
                .service(hotspots::links::unlink_incident)
                .service(hotspots::rules::list_hotspot_rules)
                .service(hotspots::rules::put_hotspot_rule)
                .service(hotspots::rules::delete_hotspot_rule)
                .service(hotspots::search::hotspots)
                .service(stats::kpis::kpis)
                .service(stats::kpis::kpis_csv)
                .service(routing::history::incident_routing)
                .service(routing::list::list_rules)
                .service(routing::create::create_rule)
                .service(routing::get::get_rule)
                .service(routing::update::update_rule)
                .service(routing::delete::delete_rule)
                .service(routing::preview::preview_routing)
                .service(events::incident_events)
                .service(notifications::devices::register_device)
                .service(notifications::devices::delete_device)
                .service(notifications::inbox::list_notifications)
                .service(notifications::inbox::unread_count)
                .service(notifications::inbox::mark_all_read)
                .service(notifications::inbox::mark_read)
                .service(notifications::notices::post_notice)
                .service(notifications::notices::list_notices)
                .service(notifications::notices::get_notice)
                .service(notifications::outbox::list_outbox)
                .service(notifications::outbox::retry_dead_letter)
                .service(patrols::list::list_patrols)
                .service(patrols::create::start_patrol)
                .service(patrols::get::get_patrol)
                .service(patrols::end::end_patrol)
                .service(patrols::track::upload_track)
                .service(patrols::track::get_track)
                .service(patrols::coverage::grid_coverage)
                .service(checklist_templates::list::list_templates)
                .service(checklist_templates::create::create_template)
                .service(checklist_templates::get::get_template)
                .service(checklist_templates::update::update_template)
                .service(checklist_templates::delete::delete_template)
                .service(campaigns::list::list_campaigns)
                .service(campaigns::create::start_campaign)
                .service(campaigns::get::get_campaign)
                .service(campaigns::cancel::cancel_campaign)
                .service(rosters::get::get_roster)
                .service(rosters::create_shift::create_shift)
                .service(rosters::delete_shift::delete_shift)
                .service(rosters::put_exception::put_exception)
                .service(rosters::delete_exception::delete_exception)
                .service(open311_keys::list::list_keys)
                .service(open311_keys::create::create_key)
                .service(open311_keys::revoke::revoke_key)
                .service(open311_waiting::list_waiting)
                .service(open311_waiting::place_waiting)
                .service(open311_waiting::dismiss_waiting),
        )
        // GeoReport v2: fixed paths before `{id}`-style ones.
        .service(
            scope::scope("/open311/v2")
                .service(open311::services::discovery)
                .service(open311::services::list_services)
                .service(open311::services::service_definition)
                .service(open311::requests::list_requests)
                .service(open311::submit::post_request)
                .service(open311::requests::get_request)
                .service(open311::requests::get_token)
                .service(open311::requests::list_updates),
        );
}
