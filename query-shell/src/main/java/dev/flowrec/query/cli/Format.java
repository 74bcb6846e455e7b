package dev.flowrec.query.cli;

/**
 * Output formats: an aligned table for people, CSV and JSON lines for programs, and a terminal chart of a grouped
 * answer or time series (a flow listing is printed as a table).
 */
public enum Format
{
    table, csv, json, chart
}
