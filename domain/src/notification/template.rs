//! The words of a notification, in the recipient's language. Payloads carry
//! the reference and the category, never a name, a phone number or what
//! somebody wrote: a lock screen is not private.

use super::{Topic, Why};

/// The languages notifications are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    /// The language of a locale such as `zh-CN` or `en-GB`; Chinese unless English is asked for.
    pub fn of_locale(locale: &str) -> Language {
        if locale.to_ascii_lowercase().starts_with("en") {
            Language::English
        } else {
            Language::Chinese
        }
    }
}

/// What the text may mention of an incident.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub reference: &'a str,
    pub category_zh: &'a str,
    pub category_en: &'a str,
}

/// The title and body of an incident notification.
pub fn incident_text(
    topic: Topic,
    why: Why,
    language: Language,
    facts: Facts<'_>,
) -> (String, String) {
    let title = title(topic, why, language);
    let body = match language {
        Language::Chinese => format!("{} · {}", facts.reference, facts.category_zh),
        Language::English => format!("{} · {}", facts.reference, facts.category_en),
    };
    (title.to_owned(), body)
}

fn title(topic: Topic, why: Why, language: Language) -> &'static str {
    use Language::{Chinese as Zh, English as En};
    match (topic, why, language) {
        (Topic::Reported, _, Zh) => "网格内有新上报，请到现场核查处置",
        (Topic::Reported, _, En) => "A new report in your grid needs you on site",
        (Topic::Accepted, _, Zh) => "您的报告已受理立案",
        (Topic::Accepted, _, En) => "Your report was accepted",
        (Topic::Rejected, _, Zh) => "您的报告未予立案",
        (Topic::Rejected, _, En) => "Your report was not taken up",
        (Topic::Dispatched, Why::Reporter, Zh) => "您的报告已派遣处置单位",
        (Topic::Dispatched, Why::Reporter, En) => {
            "Your report was sent to the party that handles it"
        }
        (Topic::Dispatched, _, Zh) => "新派遣案件，请及时签收",
        (Topic::Dispatched, _, En) => "A new case was dispatched to you",
        (Topic::Acknowledged, _, Zh) => "处置单位已签收您的报告",
        (Topic::Acknowledged, _, En) => "The handling party has taken your report",
        (Topic::Returned, _, Zh) => "案件被回退，请重新派遣",
        (Topic::Returned, _, En) => "A case was returned: dispatch it again",
        (Topic::Resolved, Why::Reporter, Zh) => "您的报告已处置完毕",
        (Topic::Resolved, Why::Reporter, En) => "Your report was resolved",
        (Topic::Resolved, _, Zh) => "案件已处置，待核查",
        (Topic::Resolved, _, En) => "A case was resolved and awaits verification",
        (Topic::Reopened, _, Zh) => "案件核查未通过，需返工",
        (Topic::Reopened, _, En) => "A case was reopened: the work needs redoing",
        (Topic::Closed, Why::Reporter, Zh) => "您的报告已办结，请评价",
        (Topic::Closed, Why::Reporter, En) => "Your report was closed: please rate it",
        (Topic::Closed, _, Zh) => "案件已核查办结",
        (Topic::Closed, _, En) => "A case you handled was verified and closed",
        (Topic::Commented, Why::Reporter, Zh) => "您的报告有新回复",
        (Topic::Commented, Why::Reporter, En) => "There is a new reply on your report",
        (Topic::Commented, _, Zh) => "案件有新留言",
        (Topic::Commented, _, En) => "There is a new comment on a case",
        (Topic::Escalated, _, Zh) => "案件超时未办，已升级至您",
        (Topic::Escalated, _, En) => "An overdue case was escalated to you",
        (Topic::DeadlineWarning, _, Zh) => "案件即将超时",
        (Topic::DeadlineWarning, _, En) => "A case is due soon",
        (Topic::Notice, _, Zh) => "通知",
        (Topic::Notice, _, En) => "Notice",
        (Topic::AssistCalled, _, Zh) => "您单位被召集协同处置案件，请及时签收",
        (Topic::AssistCalled, _, En) => "Your party was called to assist on a case",
        (Topic::AssistReported, _, Zh) => "协办单位已反馈处置情况",
        (Topic::AssistReported, _, En) => "An assisting party reported its part",
        (Topic::HandledOnSpot, _, Zh) => "案件已由网格员就地处置，无需再处置",
        (Topic::HandledOnSpot, _, En) => {
            "A case sent to you was handled on the spot: nothing left to do"
        }
        (Topic::CheckTask, _, Zh) => "网格隐患排查任务",
        (Topic::CheckTask, _, En) => "A checklist for your grid",
        (Topic::LedgerReviewDue, _, Zh) => "挂账案件已到复核日期，请复核",
        (Topic::LedgerReviewDue, _, En) => "A case in the problem ledger is due for review",
    }
}

/// The title and body of a grid's checklist task: the campaign's name and
/// when it is due, in local time (`due_local`, the working calendar's
/// offset applied by the caller), e.g. 「暴雪隐患排查：请于12月5日18:00前完成本网格检查」.
pub fn check_task_text(
    language: Language,
    name_zh: &str,
    name_en: &str,
    due_local: chrono::NaiveDateTime,
) -> (String, String) {
    use chrono::{Datelike, Timelike};
    let (month, day) = (due_local.month(), due_local.day());
    let (hour, minute) = (due_local.hour(), due_local.minute());
    match language {
        Language::Chinese => (
            format!("{name_zh}：请于{month}月{day}日{hour:02}:{minute:02}前完成本网格检查"),
            "逐项检查本网格：能当场处置的当场处置，处置不了的上报".to_owned(),
        ),
        Language::English => {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let name = MONTHS[(month as usize).saturating_sub(1) % 12];
            (
                format!(
                    "{name_en}: finish your grid's checklist by {day} {name} {hour:02}:{minute:02}"
                ),
                "Go through it item by item: fix what you can on the spot, report what you cannot"
                    .to_owned(),
            )
        }
    }
}
