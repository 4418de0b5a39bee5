package org.exporters4j.cli;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("exporters4j");
    }
}
