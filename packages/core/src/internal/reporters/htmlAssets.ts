/**
 * The HTML report's inline style sheet and script. Both are literals: no
 * report data is ever written into them (data lives in escaped markup), so
 * the CSP can allow inline code without allowing injected code.
 */

/** The Content-Security-Policy of the report: nothing is fetched, ever. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

/** Dispositions the filter can hide, in the order the filter bar shows them. */
export const FILTERS = [
  ["blocking", "Blocking"],
  ["warning", "Warning"],
  ["deferred", "Deferred"],
  ["info", "Info"],
  ["ok", "Passed"],
  ["skipped", "Skipped"]
] as const

// The filter works without script: each checkbox hides its items through :has(). Everything shows by default.
const filterRules = FILTERS.map(([d]) =>
  `body:has(#f-${d}:not(:checked)) .item[data-disposition="${d}"]{display:none}`
).join("\n")

export const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--red:#cf222e;--red-bg:#ffebe9;
--green:#1a7f37;--green-bg:#dafbe1;--amber:#9a6700;--amber-bg:#fff8c5;--blue:#0969da;--blue-bg:#ddf4ff;
--purple:#8250df;--purple-bg:#fbefff;--gray-bg:#eff2f5}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
background:var(--soft)}
main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
code{background:var(--gray-bg);padding:1px 5px;border-radius:4px;word-break:break-all}
pre{margin:0;white-space:pre-wrap;word-break:break-word}
h1{font-size:24px;margin:0 0 4px;line-height:1.25}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:15px;margin:18px 0 8px}
h4{font-size:13px;margin:14px 0 6px;color:var(--muted);font-weight:600}
section{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:16px 0}
.muted{color:var(--muted)}
.verdict{border-left:6px solid var(--red);padding:20px 22px}
.badge{display:inline-block;vertical-align:3px;margin-right:10px;padding:2px 10px;border-radius:6px;font-size:13px;
letter-spacing:.06em;color:#fff;background:var(--red)}
.badge.ready{background:var(--green)}
pre.code{background:var(--gray-bg);padding:6px 8px;border-radius:6px}
.verdict.ready{border-left-color:var(--green)}
.verdict .counts{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 0}
.verdict .meta{margin:10px 0 0;font-size:12.5px}
.notice{background:var(--amber-bg);border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin:10px 0 0}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap;
background:var(--gray-bg);color:var(--muted)}
.pill.blocking,.pill.expired,.pill.fail,.pill.error{background:var(--red-bg);color:var(--red)}
.pill.ok,.pill.pass,.pill.ready{background:var(--green-bg);color:var(--green)}
.pill.warning,.pill.soon,.pill.warn{background:var(--amber-bg);color:var(--amber)}
.pill.deferred,.pill.active{background:var(--purple-bg);color:var(--purple)}
.pill.info,.pill.stale{background:var(--blue-bg);color:var(--blue)}
.blockers{list-style:none;margin:0;padding:0}
.blockers li{border:1px solid #ffcecb;background:#fffafa;border-radius:8px;padding:10px 14px;margin:0 0 8px}
.blockers .title{font-weight:600}
.blockers .facts{font-size:12.5px;color:var(--muted);margin:2px 0}
.blockers .fix{margin:4px 0 0}
.blockers .fix b{color:var(--fg)}
.filters{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 8px}
.filters label{display:inline-flex;gap:5px;align-items:center;border:1px solid var(--line);border-radius:999px;
padding:2px 10px 2px 8px;cursor:pointer;background:var(--soft);font-size:12.5px;user-select:none}
.filters label:has(input:not(:checked)){opacity:.5;text-decoration:line-through}
.item{border-top:1px solid var(--line)}
.item:first-of-type{border-top:0}
.item summary{display:grid;grid-template-columns:128px 1fr auto;gap:10px;align-items:baseline;padding:7px 4px;cursor:pointer;
list-style:none}
.item summary::-webkit-details-marker{display:none}
.item summary:hover{background:var(--soft)}
.item .name{font-weight:600}
.item .id{color:var(--muted);font-size:12px;margin-left:6px}
.item .msg{display:block;color:var(--muted);font-size:13px;word-break:break-word}
.item .owner{font-size:12px;color:var(--muted);white-space:nowrap}
.body{padding:4px 4px 14px 142px}
dl.ev{display:grid;grid-template-columns:140px 1fr;gap:4px 12px;margin:6px 0}
dl.ev dt{color:var(--muted);font-size:12.5px}
dl.ev dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px;background:var(--soft)}
.subjects{margin:8px 0}
.trend svg{display:block;height:180px;width:auto;max-width:100%}
.card dl.ev{grid-template-columns:96px 1fr}
.legend{display:flex;gap:14px;font-size:12px;color:var(--muted);margin:6px 0 10px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.timeline .row{display:grid;grid-template-columns:380px 1fr;gap:12px;align-items:center;padding:6px 0;
border-bottom:1px solid var(--line)}
.timeline .track{position:relative;height:18px;background:var(--soft);border-radius:4px}
.timeline .bar{position:absolute;top:3px;height:12px;border-radius:3px;background:var(--purple)}
.timeline .bar.expired{background:var(--red)}
.timeline .bar.soon{background:#d4a72c}
.timeline .bar.stale{background:var(--blue)}
.timeline .now{position:absolute;top:-3px;bottom:-3px;width:2px;background:var(--fg)}
.timeline .axis{display:flex;justify-content:space-between;font-size:11.5px;color:var(--muted);margin:4px 0 0 392px}
.grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card h4{margin:0 0 6px;color:var(--fg)}
footer{color:var(--muted);font-size:12px;text-align:center}
${filterRules}
@media print{
body{background:#fff;font-size:11.5px}
main{max-width:none;padding:0}
section{border:0;border-top:1px solid var(--line);border-radius:0;padding:10px 0;break-inside:auto}
.filters{display:none}
.item{break-inside:avoid}
.item[data-disposition]{display:block !important}
details::details-content{content-visibility:visible;display:block}
.body{padding-left:12px}
}
`

/**
 * Printing expands every <details> (and collapses them back after), so a
 * printed report holds all the evidence; the print style sheet does the same
 * where the browser supports `::details-content`, with or without script.
 */
export const SCRIPT = `
(function(){
  var opened=[];
  addEventListener("beforeprint",function(){
    document.querySelectorAll("details:not([open])").forEach(function(d){d.open=true;opened.push(d)});
  });
  addEventListener("afterprint",function(){opened.forEach(function(d){d.open=false});opened=[]});
})();
`
