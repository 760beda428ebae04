package dev.herald.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * A self-contained HTML page (inline CSS and SVG, no scripts, no external assets) drawn from a {@link Results}:
 * a summary table, the latency distribution of every run, CPU per delivery against the loopback-write floor,
 * bytes on the wire per delivery, memory per connection and requests per hour.
 */
public final class HtmlReport {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private HtmlReport() {
    }

    public static String render(Results results) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Herald bench report</title>\n")
                .append("<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222}")
                .append("table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ccc;")
                .append("padding:3px 6px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
                .append(".bad{background:#fde2e2}.ok{color:#1a7f37}.warn{color:#b42318}h2{margin-top:36px}")
                .append("svg{background:#fff;border:1px solid #eee}small{color:#666}</style></head><body>\n")
                .append("<h1>Herald bench report</h1>\n");
        List<RunResult> runs = results.runs();
        if (!runs.isEmpty()) {
            RunResult.Environment env = runs.get(0).environment();
            h.append("<p><small>").append(esc(runs.size() + " runs; first at " + env.date() + "; bench JDK "
                    + env.benchJdk() + "; " + env.os() + "; " + env.machineCores() + " cores"))
                    .append("</small></p>\n");
        }
        floors(h, results.floors());
        summary(h, runs);
        Map<String, List<RunResult>> byScenario = new LinkedHashMap<>();
        for (RunResult r : runs) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<RunResult>> e : byScenario.entrySet()) {
            List<RunResult> group = e.getValue();
            h.append("<h2>").append(esc(e.getKey())).append("</h2>\n");
            h.append("<h3>Publish → delivery latency (µs, log scale)</h3>\n");
            latencyChart(h, group);
            double floor = floorFor(results.floors(), group.get(0).subscribers());
            h.append("<h3>Server CPU per delivery (µs)</h3>\n");
            bars(h, group, r -> r.serverStats().cpuMicrosPerDelivery(), "µs", floor, "loopback write floor");
            h.append("<h3>Bytes on the wire per delivery (subscriber side, both directions)</h3>\n");
            bars(h, group, r -> r.wire().totalPerDelivery(), "B", -1, null);
            if (group.stream().anyMatch(r -> r.transport().endsWith("poll"))) {
                h.append("<h3>Requests per hour (subscribers)</h3>\n");
                bars(h, group, r -> r.wire().requestsPerHour(), "", -1, null);
            }
            h.append("<h3>Server memory per connection</h3>\n");
            bars(h, group, r -> r.serverStats().memoryPerConnectionBytes(), "B", -1, null);
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /**
     * The floor to draw under a scenario's CPU bars: of the paced floors (a wave per interval, as a load point
     * delivers) the one measured over the connection count nearest the scenario's subscribers, the latest if
     * several; back-to-back floors only when no paced one was measured. -1 when there is none.
     */
    static double floorFor(List<Floor.Result> floors, int subscribers) {
        boolean anyPaced = floors.stream().anyMatch(f -> f.waveIntervalMillis() > 0);
        Floor.Result best = null;
        for (Floor.Result f : floors) {
            if (anyPaced && f.waveIntervalMillis() <= 0) {
                continue;
            }
            if (best == null || Math.abs(f.connections() - subscribers) <= Math.abs(best.connections() - subscribers)) {
                best = f;
            }
        }
        return best == null ? -1 : best.cpuMicrosPerWrite();
    }

    private static void floors(StringBuilder h, List<Floor.Result> floors) {
        if (floors.isEmpty()) {
            return;
        }
        h.append("<h2>Floor: one small write to a loopback socket</h2>\n<table><tr><th class=l>method</th>")
                .append("<th>connections</th><th>bytes</th><th>writes</th><th class=l>cores</th>")
                .append("<th>CPU µs/write</th>")
                .append("<th>wall µs/write</th>")
                .append("<th class=l>date</th></tr>\n");
        for (Floor.Result f : floors) {
            h.append("<tr><td class=l>").append(esc(f.method())).append("</td><td>").append(f.connections())
                    .append("</td><td>").append(f.payloadBytes()).append("</td><td>").append(f.writes())
                    .append("</td><td class=l>").append(esc(String.valueOf(f.cores()))).append("</td><td>")
                    .append(fmt(f.cpuMicrosPerWrite())).append("</td><td>")
                    .append(fmt(f.wallMicrosPerWrite())).append("</td><td class=l>").append(esc(f.date()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void summary(StringBuilder h, List<RunResult> runs) {
        h.append("<h2>Runs</h2>\n<table><tr><th class=l>run</th><th class=l>server</th><th class=l>transport</th>")
                .append("<th>subs</th><th>ch</th><th>rate/ch</th><th>deliv/s</th><th>p50</th><th>p99</th>")
                .append("<th>p99.9</th><th>max</th><th>CPU µs/deliv</th><th>server CPU %</th><th>B/deliv</th>")
                .append("<th>req/deliv</th><th>mem B/conn</th><th>RSS B/conn</th><th>heap B/conn</th>")
                .append("<th title=\"longest stop of the application: the JVM's safepoint total when logged\">")
                .append("pause max ms</th><th title=\"Shenandoah's gross pause: adds the wait for the VM thread's ")
                .append("turn on the CPU, while the application runs\">GC gross ms</th>")
                .append("<th>connect/s</th><th>bench CPU %</th><th class=l>check</th></tr>\n");
        for (RunResult r : runs) {
            boolean bad = !r.check().ok() || r.bench().saturated();
            h.append("<tr").append(bad ? " class=bad" : "").append("><td class=l>").append(esc(r.name()))
                    .append("</td><td class=l>").append(esc(r.server())).append("</td><td class=l>")
                    .append(esc(r.transport())).append("</td><td>").append(r.subscribers()).append("</td><td>")
                    .append(r.channels()).append("</td><td>").append(esc(r.rate())).append("</td><td>")
                    .append(fmt(r.deliveriesPerSecond())).append("</td><td>").append(r.latency().p50())
                    .append("</td><td>").append(r.latency().p99()).append("</td><td>").append(r.latency().p999())
                    .append("</td><td>").append(r.latency().max()).append("</td><td>")
                    .append(fmt(r.serverStats().cpuMicrosPerDelivery())).append("</td><td>")
                    .append(fmt(r.serverStats().cpuPercent())).append("</td><td>")
                    .append(fmt(r.wire().totalPerDelivery())).append("</td><td>")
                    .append(fmt(r.wire().requestsPerDelivery())).append("</td><td>")
                    .append(fmt(r.serverStats().memoryPerConnectionBytes())).append("</td><td>")
                    .append(fmt(r.serverStats().rssPerConnectionBytes())).append("</td><td>")
                    .append(fmt(r.serverStats().heapPerConnectionBytes())).append("</td><td>")
                    .append(fmt(r.serverStats().gcMaxPauseMillis()))
                    .append("</td><td>").append(fmt(r.serverStats().gcMaxGrossPauseMillis()))
                    .append("</td><td>").append(fmt(r.connect().perSecond())).append("</td><td>")
                    .append(fmt(r.bench().cpuPercent())).append(r.bench().saturated() ? " ⚠" : "")
                    .append("</td><td class=l>")
                    .append(r.check().ok() ? "<span class=ok>ok</span>" : "<span class=warn title=\""
                            + esc(String.join("; ", r.warnings())) + "\">" + esc(abbreviate(r.warnings())) + "</span>")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n<p><small>Latencies in µs. A red row failed its stream check or saturated the load ")
                .append("generator.</small></p>\n");
    }

    /** Percentile on a log axis of 1/(1-p), as HdrHistogram plots do; latency on a log axis. */
    private static void latencyChart(StringBuilder h, List<RunResult> runs) {
        int width = 900;
        int height = 360;
        int left = 70;
        int right = 220;
        int top = 15;
        int bottom = 45;
        double maxX = Math.log10(1e4);   // up to 99.99 %
        double minY = 1;
        double maxY = 10;
        for (RunResult r : runs) {
            for (double[] p : r.latency().distribution()) {
                maxY = Math.max(maxY, p[1]);
                minY = Math.min(Math.max(1, p[1]), minY);
            }
        }
        double lo = Math.floor(Math.log10(minY));
        double hi = Math.ceil(Math.log10(maxY));
        if (hi <= lo) {
            hi = lo + 1;
        }
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        h.append("<svg width=\"").append(width).append("\" height=\"").append(height)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n");
        for (double d = lo; d <= hi; d++) {
            double y = top + plotH - (d - lo) / (hi - lo) * plotH;
            h.append(line(left, y, left + plotW, y, "#eee"))
                    .append(text(left - 6, y + 4, "end", label(Math.pow(10, d))));
        }
        String[] xs = {"0", "50", "90", "99", "99.9", "99.99"};
        for (int i = 0; i < xs.length; i++) {
            double x = left + (i == 0 ? 0 : (double) i / (xs.length - 1) * plotW);
            h.append(line(x, top, x, top + plotH, "#eee")).append(text(x, top + plotH + 16, "middle", xs[i] + "%"));
        }
        h.append(text(left + plotW / 2.0, height - 6, "middle", "percentile"));
        int i = 0;
        for (RunResult r : runs) {
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : r.latency().distribution()) {
                double q = Math.min(p[0], 99.99);
                double x = left + Math.log10(1 / (1 - q / 100)) / maxX * plotW;
                double v = Math.log10(Math.max(1, p[1]));
                double y = top + plotH - (v - lo) / (hi - lo) * plotH;
                pts.append(fmt(x)).append(',').append(fmt(y)).append(' ');
            }
            h.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                    .append(pts).append("\"/>\n");
            double ly = top + 12 + i * 16;
            h.append(line(left + plotW + 10, ly - 4, left + plotW + 28, ly - 4, color))
                    .append(text(left + plotW + 32, ly, "start", shortName(r)));
            i++;
        }
        h.append("</svg>\n");
    }

    private static void bars(StringBuilder h, List<RunResult> runs, ToDoubleFunction<RunResult> value, String unit,
                             double reference, String referenceLabel) {
        List<RunResult> shown = runs.stream().filter(r -> value.applyAsDouble(r) >= 0).toList();
        if (shown.isEmpty()) {
            h.append("<p><small>not measured</small></p>\n");
            return;
        }
        int left = 300;
        int plotW = 520;
        int row = 20;
        int height = shown.size() * row + 30;
        double max = Math.max(reference, shown.stream().mapToDouble(value).max().orElse(1));
        max = max <= 0 ? 1 : max * 1.1;
        h.append("<svg width=\"").append(left + plotW + 100).append("\" height=\"").append(height)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n");
        int i = 0;
        for (RunResult r : shown) {
            double v = value.applyAsDouble(r);
            double y = 8 + i * row;
            double w = v / max * plotW;
            h.append(text(left - 6, y + 12, "end", shortName(r)))
                    .append("<rect x=\"").append(left).append("\" y=\"").append(fmt(y)).append("\" width=\"")
                    .append(fmt(Math.max(1, w))).append("\" height=\"").append(row - 6).append("\" fill=\"")
                    .append(r.server().equals("herald") ? COLORS[0] : COLORS[1]).append("\"/>")
                    .append(text(left + w + 4, y + 12, "start", fmt(v) + " " + unit)).append('\n');
            i++;
        }
        if (reference > 0) {
            double x = left + reference / max * plotW;
            h.append(line(x, 2, x, height - 18, "#2ca02c"))
                    .append(text(x, height - 5, "middle", referenceLabel + " " + fmt(reference) + " " + unit));
        }
        h.append("</svg>\n");
    }

    /** The first warning, short enough for a table cell; the whole list is in the cell's tooltip. */
    private static String abbreviate(List<String> warnings) {
        String first = warnings.isEmpty() ? "check failed" : warnings.get(0);
        String text = first.length() > 60 ? first.substring(0, 57) + "..." : first;
        return warnings.size() > 1 ? text + " (+" + (warnings.size() - 1) + ")" : text;
    }

    private static String shortName(RunResult r) {
        return r.server() + " " + r.transport() + " " + r.subscribers() + "×" + r.rate() + "/s";
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2)
                + "\" stroke=\"" + color + "\"/>";
    }

    private static String text(double x, double y, String anchor, String s) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">" + esc(s) + "</text>";
    }

    private static String label(double micros) {
        if (micros >= 1e6) {
            return fmt(micros / 1e6) + " s";
        }
        if (micros >= 1e3) {
            return fmt(micros / 1e3) + " ms";
        }
        return fmt(micros) + " µs";
    }

    /** {@link #fmt(double)}, or "–" for a figure that was not measured. */
    static String fmt(@Nullable Double v) {
        return fmt(v == null ? -1 : v.doubleValue());
    }

    static String fmt(double v) {
        if (v < 0) {
            return "–";
        }
        if (v >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
