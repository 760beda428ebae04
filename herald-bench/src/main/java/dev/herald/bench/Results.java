package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A results file: every run and floor measurement of one benchmark session, as JSON. Commands append to it, so a
 * script can measure Herald and Nchan one after the other and get one report.
 */
public record Results(List<RunResult> runs, List<Floor.Result> floors) {

    public static Results read(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return new Results(new ArrayList<>(), new ArrayList<>());
        }
        Results r = Json.MAPPER.readValue(file.toFile(), Results.class);
        return new Results(new ArrayList<>(r.runs() == null ? List.of() : r.runs()),
                new ArrayList<>(r.floors() == null ? List.of() : r.floors()));
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Json.MAPPER.writeValue(file.toFile(), this);
    }
}
