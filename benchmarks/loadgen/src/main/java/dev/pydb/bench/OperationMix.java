package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Weighted operations, as in {@code get=80,put=20}: {@link #next} picks one with a probability
 * proportional to its weight, from a precomputed table of 100 slots per unit of weight sum.
 */
final class OperationMix {
    private final Map<Operation, Integer> weights;
    private final Operation[] table;

    private OperationMix(Map<Operation, Integer> weights) {
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        List<Operation> slots = new ArrayList<>();
        weights.forEach((operation, weight) -> {
            for (int i = 0; i < weight; i++) {
                slots.add(operation);
            }
        });
        this.table = slots.toArray(Operation[]::new);
    }

    /** Parses {@code op=weight[,op=weight...]}; a bare {@code op} has weight 1. */
    static OperationMix parse(String text) {
        requireNonNull(text, "text is null");
        Map<Operation, Integer> weights = new EnumMap<>(Operation.class);
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] nameAndWeight = part.split("=", 2);
            Operation operation = Operation.parse(nameAndWeight[0]);
            int weight;
            try {
                weight = nameAndWeight.length == 2 ? Integer.parseInt(nameAndWeight[1].trim()) : 1;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("weight of " + operation + " is not a number: '" + nameAndWeight[1] + "'");
            }
            if (weight < 0 || weight > 10_000) {
                throw new IllegalArgumentException("weight of " + operation + " must be 0..10000, got " + weight);
            }
            if (weights.put(operation, weight) != null) {
                throw new IllegalArgumentException(operation + " appears twice in the mix");
            }
        }
        weights.values().removeIf(weight -> weight == 0);
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("the mix names no operation with a positive weight: '" + text + "'");
        }
        return new OperationMix(weights);
    }

    /** A mix of one operation only. */
    static OperationMix only(Operation operation) {
        return new OperationMix(Map.of(operation, 1));
    }

    Operation next(SplittableRandom random) {
        return table.length == 1 ? table[0] : table[random.nextInt(table.length)];
    }

    /** Operation name to weight, in the order given. */
    Map<Operation, Integer> weights() {
        return weights;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        weights.forEach((operation, weight) -> text.append(text.isEmpty() ? "" : ",")
                .append(operation.name().toLowerCase(Locale.ROOT)).append('=').append(weight));
        return text.toString();
    }
}
