package emp.bench.autoscale;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The experiment's plots, drawn with JFreeChart: per scenario one PNG with a panel per policy; each panel shows the
 * entry app's p95 per second (as the load generator measured it, log scale) against its target, and below it every
 * app's desired replicas over the same seconds, with the change (the step or the cost change: an orange line) and the
 * drop back to the base (a dashed green line) marked, or a spike shaded.
 */
final class Charts {
    private static final int PANEL_WIDTH = 820;
    private static final int PANEL_HEIGHT = 600;
    private static final Map<String, Color> APP_COLORS = Map.of(
            "aggregator", new Color(0xD62728),
            "songs", new Color(0x1F77B4),
            "playlists", new Color(0x2CA02C),
            "users", new Color(0xFF7F0E),
            "auth", new Color(0x9467BD),
            "front", new Color(0xD62728),
            "leaf", new Color(0x1F77B4));

    private Charts() {}

    /** Draws {@code runs} (one scenario, one per policy) into {@code file}, two panels a row. */
    static void drawScenario(List<RunData> runs, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int columns = Math.min(2, runs.size());
        int rows = (runs.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < runs.size(); i++) {
            JFreeChart chart = panel(runs.get(i));
            chart.draw(
                    graphics,
                    new Rectangle2D.Double(
                            (i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT));
        }
        graphics.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static JFreeChart panel(RunData run) {
        RunSummary summary = RunSummary.of(run);
        NumberAxis time = new NumberAxis("seconds (0: end of warm-up)");
        time.setRange(-run.warmup(), run.length());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.setGap(8);
        plot.add(latencyPlot(run), 3);
        plot.add(replicasPlot(run), 2);
        JFreeChart chart = new JFreeChart(run.policy(), new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(String.format(
                "%d s of %d in violation, %.0f replica-s, %s %% failed, p95 %.0f ms; recovery %s, back to base %s",
                summary.violationSeconds(),
                summary.measuredSeconds(),
                summary.replicaSeconds(),
                Report.percent(summary.failedPercent()),
                summary.p95Ms(),
                summary.recoverySeconds().isPresent()
                        ? summary.recoverySeconds().getAsInt() + " s"
                        : "never",
                !summary.hasDrop()
                        ? "n/a"
                        : summary.backToBaseSeconds().isPresent()
                                ? summary.backToBaseSeconds().getAsInt() + " s"
                                : "never")));
        return chart;
    }

    private static XYPlot latencyPlot(RunData run) {
        XYSeries p95 = new XYSeries(run.entryApp() + " p95 (end to end)");
        XYSeries errors = new XYSeries("errors > 1% (at 10 ms)");
        for (LoadRow row : run.load()) {
            if (!Double.isNaN(row.p95Ms())) {
                p95.add(row.second() + 0.5, Math.max(1, row.p95Ms()));
            }
            if (row.sent() > 0 && row.errors() > 0.01 * row.sent()) {
                errors.add(row.second() + 0.5, 10);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(p95);
        data.addSeries(errors);
        LogAxis axis = new LogAxis("p95 ms");
        axis.setRange(5, 20_000);
        axis.setBase(10);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(0x333333));
        renderer.setSeriesStroke(0, new BasicStroke(1.6f));
        renderer.setSeriesLinesVisible(1, false);
        renderer.setSeriesShapesVisible(1, true);
        renderer.setSeriesPaint(1, new Color(0xD62728));
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        ValueMarker target = new ValueMarker(
                run.targetMs(),
                new Color(0xD62728),
                new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
        target.setLabel("target " + (int) run.targetMs() + " ms");
        target.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        plot.addRangeMarker(target);
        markChange(run, plot);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static XYPlot replicasPlot(RunData run) {
        Map<String, XYSeries> byApp = new TreeMap<>();
        Map<String, Double> offsets = new TreeMap<>();
        for (AppSample sample : run.apps()) {
            offsets.putIfAbsent(sample.app(), 0.0);
        }
        int order = 0;
        for (String app : offsets.keySet()) {
            // Apps with the same count would hide each other; each line is lifted a little, in legend order.
            offsets.put(app, 0.08 * order++);
        }
        for (AppSample sample : run.apps()) {
            byApp.computeIfAbsent(sample.app(), app -> new XYSeries(app + " replicas"))
                    .add(sample.second(), sample.desired() + offsets.get(sample.app()));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        XYStepRenderer renderer = new XYStepRenderer();
        int index = 0;
        for (Map.Entry<String, XYSeries> app : byApp.entrySet()) {
            data.addSeries(app.getValue());
            renderer.setSeriesPaint(index, APP_COLORS.getOrDefault(app.getKey(), Color.GRAY));
            renderer.setSeriesStroke(index, new BasicStroke(app.getKey().equals(run.bottleneck()) ? 2.4f : 1.4f));
            index++;
        }
        NumberAxis axis = new NumberAxis("replicas");
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        axis.setRange(0, 11);
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        markChange(run, plot);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static void markChange(RunData run, XYPlot plot) {
        if (run.changeLength() > 0 && run.scenario().equals("spike")) {
            plot.addDomainMarker(new IntervalMarker(
                    run.changeAt(), run.changeAt() + run.changeLength(), new Color(255, 200, 0, 60)));
            return;
        }
        if (run.changeAt() > 0) {
            plot.addDomainMarker(new ValueMarker(run.changeAt(), new Color(0xFF9900), new BasicStroke(1.5f)));
        }
        if (!Double.isNaN(run.dropAt())) {
            plot.addDomainMarker(new ValueMarker(
                    run.dropAt(),
                    new Color(0x2CA02C),
                    new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0)));
        }
    }
}
