package dev.flowrec.query.cli;

/** Output formats: an aligned table for people, CSV and JSON lines for programs. */
public enum Format
{
    table, csv, json
}
