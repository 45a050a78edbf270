package dev.odooops.model;

/**
 * A request that makes the environment it names (pr-env create): the entry route's environment lookup finds a
 * template's environment ({@code P/pr-<N>}) whether it exists yet or not, and registers it in the catalog so that its
 * run (and a queued request's run) can refer to it.
 */
public interface MakesEnvironment extends EnvironmentRequest {
}
