//! Bar charts in SVG, drawn by the app: one bar per day, series stacked (requests by outcome)
//! or side by side (coins credited and debited). Each chart says what it shows in its label
//! and comes with the same numbers as a table, for screen readers and for copying.

use yew::prelude::*;

/// One series: its name, its CSS class (the colour) and a value per day.
#[derive(Clone, PartialEq, Debug)]
pub struct Series {
    pub label: &'static str,
    pub class: &'static str,
    pub values: Vec<i64>,
}

/// A rounded-up axis maximum: 1, 2 or 5 times a power of ten, at least 1.
pub fn nice_max(max: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= max {
                return candidate;
            }
        }
        if step > i64::MAX / 10 {
            return i64::MAX;
        }
        step *= 10;
    }
}

/// Bars as `(x, y, width, height)` per series and day in a `width × height` plot, with
/// `max` at the top. Stacked: each day's series on top of one another; otherwise side by
/// side within the day's slot. Negative values draw nothing.
pub fn bars(
    series: &[Series],
    days: usize,
    stacked: bool,
    width: f64,
    height: f64,
    max: i64,
) -> Vec<Vec<(f64, f64, f64, f64)>> {
    let slot = width / days.max(1) as f64;
    let gap = (slot * 0.2).min(4.0);
    let scale = |v: i64| height * v.max(0) as f64 / max.max(1) as f64;
    let mut base = vec![0.0f64; days];
    series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (0..days)
                .map(|d| {
                    let h = scale(s.values.get(d).copied().unwrap_or(0));
                    if stacked {
                        let y = height - base[d] - h;
                        base[d] += h;
                        (d as f64 * slot + gap / 2.0, y, slot - gap, h)
                    } else {
                        let w = (slot - gap) / series.len().max(1) as f64;
                        (d as f64 * slot + gap / 2.0 + i as f64 * w, height - h, w, h)
                    }
                })
                .collect()
        })
        .collect()
}

/// A day's largest total (stacked) or largest value.
pub fn peak(series: &[Series], days: usize, stacked: bool) -> i64 {
    (0..days)
        .map(|d| {
            let at = |s: &Series| s.values.get(d).copied().unwrap_or(0).max(0);
            if stacked {
                series.iter().map(at).fold(0i64, i64::saturating_add)
            } else {
                series.iter().map(at).max().unwrap_or(0)
            }
        })
        .max()
        .unwrap_or(0)
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    /// The chart's heading.
    pub title: AttrValue,
    /// `YYYY-MM-DD`, oldest first.
    pub days: Vec<String>,
    pub series: Vec<Series>,
    #[prop_or(false)]
    pub stacked: bool,
}

const W: f64 = 600.0;
const H: f64 = 150.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 20.0;

#[function_component]
pub fn BarChart(props: &ChartProps) -> Html {
    let n = props.days.len();
    let max = nice_max(peak(&props.series, n, props.stacked));
    let geometry = bars(&props.series, n, props.stacked, W - LEFT, H, max);
    let totals: Vec<i64> = props
        .series
        .iter()
        .map(|s| s.values.iter().copied().fold(0i64, i64::saturating_add))
        .collect();
    let summary = props
        .series
        .iter()
        .zip(&totals)
        .map(|(s, t)| format!("{} {t}", s.label.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    let label = format!("{}, last {n} days: {summary}", props.title);
    let first = props.days.first().cloned().unwrap_or_default();
    let last = props.days.last().cloned().unwrap_or_default();
    html! {
        <figure class="chart">
            <figcaption>
                <h2>{ props.title.clone() }</h2>
                <ul class="legend">
                    { for props.series.iter().zip(&totals).map(|(s, t)| html! {
                        <li><span class={classes!("swatch", s.class)} aria-hidden="true"></span>{ format!("{} ", s.label) }<strong>{ t }</strong></li>
                    }) }
                </ul>
            </figcaption>
            <svg viewBox={format!("0 0 {W} {}", H + BOTTOM)} role="img" aria-label={label}>
                <line class="axis" x1={LEFT.to_string()} y1="0.5" x2={W.to_string()} y2="0.5" />
                <line class="axis" x1={LEFT.to_string()} y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                <text class="tick" x={(LEFT - 6.0).to_string()} y="10" text-anchor="end">{ max }</text>
                <text class="tick" x={(LEFT - 6.0).to_string()} y={H.to_string()} text-anchor="end">{ "0" }</text>
                { for props.series.iter().zip(&geometry).map(|(s, rects)| html! {
                    <g class={s.class}>
                        { for rects.iter().zip(&props.days).zip(&s.values).filter(|((r, _), _)| r.3 > 0.0).map(|(((x, y, w, h), day), v)| html! {
                            <rect x={format!("{:.1}", LEFT + x)} y={format!("{y:.1}")} width={format!("{w:.1}")} height={format!("{h:.1}")}>
                                <title>{ format!("{day}: {v} {}", s.label.to_lowercase()) }</title>
                            </rect>
                        }) }
                    </g>
                }) }
                <text class="tick" x={LEFT.to_string()} y={(H + BOTTOM - 4.0).to_string()}>{ first }</text>
                <text class="tick" x={W.to_string()} y={(H + BOTTOM - 4.0).to_string()} text-anchor="end">{ last }</text>
            </svg>
            <details>
                <summary>{ "Show the numbers" }</summary>
                <div class="table-wrap" tabindex="0"><table>
                    <caption class="sr-only">{ props.title.clone() }</caption>
                    <thead><tr><th scope="col">{ "Day" }</th>
                        { for props.series.iter().map(|s| html! { <th scope="col">{ s.label }</th> }) }</tr></thead>
                    <tbody>
                        { for props.days.iter().enumerate().rev().map(|(d, day)| html! {
                            <tr><th scope="row">{ day.clone() }</th>
                                { for props.series.iter().map(|s| html! { <td>{ s.values.get(d).copied().unwrap_or(0) }</td> }) }</tr>
                        }) }
                    </tbody>
                </table></div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[i64]) -> Series {
        Series {
            label: "S",
            class: "s0",
            values: values.to_vec(),
        }
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(1_204), 2_000);
        assert_eq!(nice_max(5_000), 5_000);
        assert_eq!(nice_max(i64::MAX), i64::MAX);
    }

    #[test]
    fn stacked_bars_sit_on_one_another_and_reach_the_total() {
        let s = [series(&[6, 0]), series(&[4, 2])];
        assert_eq!(peak(&s, 2, true), 10);
        let g = bars(&s, 2, true, 100.0, 100.0, 10);
        // Day 0: 60 then 40 on top, filling the plot; x within the day's slot.
        assert_eq!(g[0][0].1, 40.0);
        assert_eq!(g[0][0].3, 60.0);
        assert_eq!(g[1][0].1, 0.0);
        assert_eq!(g[1][0].3, 40.0);
        assert!(g[0][0].0 >= 0.0 && g[0][0].0 + g[0][0].2 <= 50.0);
        // Day 1: only the second series, from the bottom.
        assert_eq!(g[0][1].3, 0.0);
        assert_eq!((g[1][1].1, g[1][1].3), (80.0, 20.0));
        assert!(g[1][1].0 >= 50.0);
    }

    #[test]
    fn side_by_side_bars_share_the_day_and_scale_to_the_peak() {
        let s = [series(&[10]), series(&[5])];
        assert_eq!(peak(&s, 1, false), 10);
        let g = bars(&s, 1, false, 100.0, 100.0, 10);
        assert_eq!(g[0][0].3, 100.0);
        assert_eq!(g[1][0].3, 50.0);
        assert!(
            g[1][0].0 >= g[0][0].0 + g[0][0].2 - 1e-9,
            "the second bar is right of the first"
        );
    }

    #[test]
    fn nothing_to_draw_draws_nothing() {
        assert_eq!(peak(&[], 30, true), 0);
        let g = bars(&[series(&[-3, 0])], 2, true, 100.0, 100.0, nice_max(0));
        assert!(g[0].iter().all(|r| r.3 == 0.0));
        // Missing values are zeros.
        let g = bars(&[series(&[])], 3, false, 90.0, 10.0, 1);
        assert_eq!(g[0].len(), 3);
    }
}
