/** The report's stylesheet, inlined into report.html (no external resources). */
export const CSS = `
:root { --fg:#1d2330; --muted:#5b6474; --line:#d9dee7; --bg:#ffffff; --panel:#f6f8fb; --pass:#0a7a4f; --fail:#c2410c; --nodata:#7a7f8a; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header.top { padding:18px 28px 10px; border-bottom:1px solid var(--line); background:var(--panel); }
header.top h1 { margin:0 0 6px; font-size:20px; }
.badge { display:inline-block; padding:2px 10px; border-radius:12px; font-weight:600; color:#fff; }
.badge.pass { background:var(--pass); } .badge.fail { background:var(--fail); }
.facts { color:var(--muted); margin:4px 0; }
.env { margin:6px 0 0; padding-left:18px; color:var(--muted); font-size:13px; }
.env .reason { color:var(--fail); font-weight:600; }
nav.toc { padding:8px 28px; border-bottom:1px solid var(--line); font-size:13px; position:sticky; top:0; background:#fff; z-index:2; }
nav.toc a { margin-right:14px; color:#0b5cad; text-decoration:none; white-space:nowrap; }
main { padding:8px 28px 40px; max-width:1280px; }
section { margin:22px 0 10px; }
h2 { font-size:17px; margin:0 0 6px; border-bottom:1px solid var(--line); padding-bottom:4px; }
p.intro { margin:4px 0 10px; color:var(--muted); max-width:980px; }
.table-wrap { overflow-x:auto; }
table { border-collapse:collapse; font-size:13px; }
th, td { border:1px solid var(--line); padding:4px 8px; text-align:left; vertical-align:top; }
th { background:var(--panel); font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.src { color:var(--muted); font-size:12px; max-width:420px; }
td.pass { color:var(--pass); font-weight:700; } td.fail { color:var(--fail); font-weight:700; } td.nodata { color:var(--nodata); font-weight:700; }
ul.notes { color:var(--muted); font-size:13px; }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(520px,1fr)); gap:14px 22px; margin-top:14px; }
figure.chart { margin:0; padding:10px 12px; border:1px solid var(--line); border-radius:6px; background:#fff; }
figure.chart svg.plot { width:100%; height:auto; display:block; }
.legend { font-size:12px; color:var(--muted); margin-top:2px; }
.legend .key { margin-right:14px; white-space:nowrap; } .legend .key svg { vertical-align:middle; margin-right:4px; }
p.source { font-size:11.5px; color:var(--muted); margin:4px 0 0; }
p.empty { color:var(--nodata); font-style:italic; padding:30px 0; text-align:center; }
svg .grid { stroke:#eceff4; } svg .axis { stroke:#9aa3b2; } svg .tick, svg .value { font-size:11px; fill:#5b6474; }
svg .axis-label { font-size:11px; fill:#5b6474; }
svg .strip { font-size:9.5px; fill:#1d2330; }
svg .strip.fault { fill:#a23f00; font-weight:600; }
svg .target-label { font-size:10.5px; fill:#1d2330; paint-order:stroke; stroke:#fff; stroke-width:3px; stroke-linejoin:round; }
code { background:var(--panel); padding:0 3px; border-radius:3px; font-size:12.5px; }
pre { background:var(--panel); padding:8px; overflow-x:auto; font-size:12px; }
details { margin:6px 0; } summary { cursor:pointer; }
@media print { nav.toc { position:static; } .charts { grid-template-columns:1fr 1fr; } }
`;
