//! `GET /admin`: counts, the last day's sign-ins, failed sign-ins and tokens issued as a
//! server-rendered SVG bar chart, and the latest audit events.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::guard::admin;
use super::view;
use crate::manage::audit::AuditView;
use crate::manage::overview::{Activity, HOURS};
use crate::pages::Branding;
use crate::state::AppState;
use crate::store::lookup::Counts;

/// Width of the chart's drawing, in SVG units.
const WIDTH: u32 = 480;
/// Height of the tallest bar.
const TALL: u32 = 140;

/// One bar of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Height.
    pub height: u32,
    /// Series: 0 sign-ins, 1 failures, 2 tokens.
    pub series: usize,
    /// What it shows, for its tooltip.
    pub label: String,
}

/// The bars of `activity`, three per hour, scaled to the busiest hour.
pub fn bars(activity: &Activity) -> Vec<Bar> {
    let names = ["sign-ins", "failed sign-ins", "tokens issued"];
    let most = activity
        .hours
        .iter()
        .flat_map(|h| h.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / HOURS as u32;
    let mut out = Vec::new();
    for (hour, counts) in activity.hours.iter().enumerate() {
        for (series, count) in counts.iter().enumerate() {
            let height = (count * TALL).div_ceil(most);
            let ago = HOURS - hour;
            out.push(Bar {
                x: hour as u32 * slot + 2 + series as u32 * 5,
                y: 150 - height,
                height,
                series,
                label: format!("{count} {} in the hour {ago} h ago", names[series]),
            });
        }
    }
    out
}

/// The dashboard.
#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// Row counts.
    pub counts: Counts,
    /// The chart's bars.
    pub bars: Vec<Bar>,
    /// The last day's totals: sign-ins, failures, tokens.
    pub totals: [u32; 3],
    /// The latest events.
    pub recent: Vec<AuditView>,
}

/// `GET /admin`.
#[tracing::instrument(skip_all)]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let admin = match admin(&req, &state, "/admin").await {
        Ok(admin) => admin,
        Err(res) => return res,
    };
    let overview = match admin.manager.overview().await {
        Ok(overview) => overview,
        Err(e) => return view::failed(&state, e),
    };
    let a = &overview.activity;
    let page = DashboardPage {
        brand: &state.branding,
        counts: overview.counts,
        bars: bars(a),
        totals: [a.total(0), a.total(1), a.total(2)],
        recent: overview.recent,
    };
    view::show(&admin, &state, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_busiest_hour() {
        let mut hours = vec![[0u32; 3]; HOURS];
        hours[23] = [4, 2, 0];
        let b = bars(&Activity { from: 0, hours });
        assert_eq!(b.len(), HOURS * 3);
        let last = &b[23 * 3..];
        assert_eq!(last[0].height, TALL);
        assert_eq!(last[1].height, TALL / 2);
        assert_eq!(last[2].height, 0);
        assert_eq!(last[0].y + last[0].height, 150);
        assert!(last[0].label.starts_with("4 sign-ins"));
    }
}
