package dev.flowrec.query;

/** A column of an answer: its name and how its values are shown (times and units for people, raw for programs). */
public record Column(String name, Type type)
{
    public enum Type
    {
        /** epoch nanoseconds (Long) */
        TIME,
        /** text (String) */
        TEXT,
        /** a number shown as is (Long or Integer): ports */
        NUMBER,
        /** a count (Long): flows, packets */
        COUNT,
        /** bytes (Long) */
        BYTES
    }
}
