package dev.pydb.engine.initialdata;

/** What loading an initial-data file did. */
public record InitialDataSummary(int databasesCreated, long documentsInserted, long documentsSkipped) {}
