package dev.odooops.model;

import java.util.Set;

/**
 * A request that states the permission it needs: app.Authorizer requires {@link #action()} of the user on every
 * project of {@link #projects()} (for a request that copies from one project into another, both). The request
 * record names its action once, so no trigger and no step decides it again.
 */
public interface ActionRequest extends AuthenticatedRequest {
    /** The action the user must hold: backup, restore, copy, pr-env, evidence ... */
    String action();

    /** The projects it touches, resolved (the entry route's environment lookup ran first). */
    Set<String> projects();
}
