package dev.odooops.model;

/** A live artifact that refers to a pack, with the environment whose folder holds its index. */
public record PackUser(String artifactId, String environment) {
}
