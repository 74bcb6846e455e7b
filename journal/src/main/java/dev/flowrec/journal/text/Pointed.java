package dev.flowrec.journal.text;

/**
 * A fault at a column of a text the user typed (a filter): the command line shows the text with a caret under the
 * fault, as the shell does. Here, not beside the filter language, because the command line's error handler is loaded
 * by the recorder too, whose class path holds no reader.
 */
public interface Pointed
{
    /** @return the text (or a window of it around the fault), made printable, and a line with a caret under the fault. */
    String pointer(String text);
}
