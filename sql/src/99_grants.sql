/*
 * EXECUTE on the extension's functions.  Table privileges, and EXECUTE on
 * the functions only administrators call, are granted next to their objects.
 */

------------------------------------------------------------------------------
-- Who may call what (keep this section last: it covers every function).
--
-- Only current_tenant() stays executable by everyone: the tenant policies and
-- the instance_id defaults of every tenant table call it, whoever queries
-- them.  Everything else is granted to the extension's roles explicitly.
------------------------------------------------------------------------------

DO $grants$
DECLARE
	fn pg_catalog.regprocedure;
BEGIN
	FOR fn IN
		SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc AS p
		 WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
		   AND p.oid OPERATOR(pg_catalog.<>) '@extschema@.current_tenant()'::pg_catalog.regprocedure
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
	END LOOP;
END
$grants$;

GRANT EXECUTE ON FUNCTION
	@extschema@.set_tenant(text, text, boolean),
	@extschema@.reset_tenant(),
	@extschema@.current_actor(),
	@extschema@.payload_text(jsonb, text),
	@extschema@.payload_bool(jsonb, text),
	@extschema@.payload_bigint(jsonb, text),
	@extschema@.payload_smallint(jsonb, text),
	@extschema@.payload_text_array(jsonb, text),
	@extschema@.payload_smallint_array(jsonb, text),
	@extschema@.payload_bytea(jsonb, text),
	@extschema@.payload_timestamptz(jsonb, text),
	@extschema@.payload_sha256(jsonb, text),
	@extschema@.payload_utf8(jsonb, text),
	@extschema@.push(text, text, text, jsonb, bigint, text, text, text, timestamptz),
	@extschema@.push_many(jsonb),
	@extschema@.push_many(jsonb[]),
	@extschema@.read_events(bigint, integer),
	@extschema@.aggregate_version(text, text),
	@extschema@.instance_by_domain(text),
	@extschema@.user_by_id(text, text),
	@extschema@.user_by_login_name(text, text),
	@extschema@.org_by_domain(text, text),
	@extschema@.has_role(text, text, text, text),
	@extschema@.create_pat(text, timestamptz, text[]),
	@extschema@.authenticate_pat(text),
	@extschema@.record_auth_check(text, text, boolean, text),
	@extschema@.role_rank(text),
	@extschema@.actor_is_tenant_admin(),
	@extschema@.create_principal(text, text, text, text, text, jsonb, text),
	@extschema@.update_principal(text, text, text, text, jsonb),
	@extschema@.verify_principal(text),
	@extschema@.set_principal_status(text, text, text),
	@extschema@.add_member(text, text, text),
	@extschema@.change_member_role(text, text, text),
	@extschema@.suspend_member(text, text, text),
	@extschema@.reactivate_member(text, text),
	@extschema@.remove_member(text, text, text),
	@extschema@.create_custom_role(text, text, text),
	@extschema@.drop_custom_role(text, text),
	@extschema@.grant_custom_role(text, text, text),
	@extschema@.revoke_custom_role(text, text, text),
	@extschema@.register_tenant(text, text, text, text, text, text, text, jsonb)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.create_tenant(text, text, text, jsonb, text),
	@extschema@.update_tenant(text, text, text, jsonb, text),
	@extschema@.set_tenant_status(text, text, text),
	@extschema@.check_tenant_settings(jsonb, text),
	@extschema@.check_external_group(text, text),
	@extschema@.require_tenant_operator(text),
	@extschema@.tenant_version_for_change(text),
	@extschema@.tenant_version(text)
TO multitenant_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.enable_audit(regclass, text[]),
	@extschema@.disable_audit(regclass),
	@extschema@.purge_audit_log(interval, text)
TO multitenant_admin;

-- The lifecycle's internal steps: the operator may call them (the functions
-- applications call run them with the definer's rights).
GRANT EXECUTE ON FUNCTION
	@extschema@.caller_is_operator(),
	@extschema@.issue_secret(text),
	@extschema@.audit_lifecycle(text, text, text, jsonb, jsonb, jsonb, text, boolean),
	@extschema@.normalize_email(text),
	@extschema@.lock_tenant(text, text),
	@extschema@.tenant_keeps_owner(text),
	@extschema@.refuse_lifecycle(text, text, text, jsonb, text, text, text, text),
	@extschema@.check_tenant_invariant(text, boolean, text, jsonb),
	@extschema@.require_member_role(text, text, text),
	@extschema@.lifecycle_push(text, text, jsonb),
	@extschema@.principal_image(text),
	@extschema@.membership_image(text, text),
	@extschema@.principal_version(text),
	@extschema@.principal_push(text, text, jsonb, bigint),
	@extschema@.require_principal_self(text, text),
	@extschema@.lock_principal_tenants(text, text),
	@extschema@.check_principal_fields(text, text, text, text, text, text, jsonb),
	@extschema@.managed_membership(text, text, text, boolean, text),
	@extschema@.check_role_grant(text, text, text, text, text),
	@extschema@.active_principal(text, text),
	@extschema@.membership_push(text, text, text, jsonb),
	@extschema@.check_custom_role_name(text, text),
	@extschema@.missing_custom_role(text, text[]),
	@extschema@.grant_carried_custom_roles(text, text, text[], text),
	@extschema@.join_request_push(text, text, text, jsonb),
	@extschema@.invitation_push(text, text, text, jsonb),
	@extschema@.pending_join_request(text, text, text)
TO multitenant_admin;

-- Join requests and invitations: the functions authorize their callers
-- themselves (members' roles in the tenant); the sweep is the operator's.
-- Their internal helpers are the operator's (above).
GRANT EXECUTE ON FUNCTION
	@extschema@.request_join(text, text),
	@extschema@.approve_join_request(text, text, text[], text),
	@extschema@.reject_join_request(text, text, text),
	@extschema@.invite(text, text, interval, text[], text),
	@extschema@.accept_invitation(text),
	@extschema@.revoke_invitation(text, text, text)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION @extschema@.expire_join_requests() TO multitenant_admin;

-- Realms: the database types' functions authorize their callers themselves
-- (owners and admins of the tenant); their internal steps are the operator's.
-- load_realms checks again that its caller is a superuser (42501).
GRANT EXECUTE ON FUNCTION
	@extschema@.realm_type_spec(text),
	@extschema@.check_realm_name(text, text),
	@extschema@.check_realm_configuration(text, text, jsonb),
	@extschema@.create_realm(text, text, jsonb, text),
	@extschema@.update_realm(text, jsonb, text, text),
	@extschema@.set_realm_enabled(text, boolean, text),
	@extschema@.resolve_realm(text, text)
TO multitenant_app, multitenant_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.realm_image(text, text),
	@extschema@.realm_push(text, text, text, jsonb),
	@extschema@.api_realm(text, text, text),
	@extschema@.load_realms(text, text, boolean)
TO multitenant_admin;

-- Sessions: the functions authorize their callers themselves (the tenant
-- entered, the acting principal, the token held); their internal steps are
-- the operator's.
GRANT EXECUTE ON FUNCTION
	@extschema@.create_session(text, text, text, interval, interval, text, text),
	@extschema@.rotate_session(text),
	@extschema@.revoke_session(text, text, text),
	@extschema@.validate_session(text, boolean),
	@extschema@.rotate_session_key(text, text),
	@extschema@.retire_session_key(text, text),
	@extschema@.session_jwks(text)
TO multitenant_app, multitenant_admin;

-- session_key_create and session_token_issue are granted to nobody: they
-- check that the extension's own functions call them.
GRANT EXECUTE ON FUNCTION
	@extschema@.session_push(text, text, text, jsonb),
	@extschema@.session_by_token(text),
	@extschema@.revoke_principal_sessions(text, text),
	@extschema@.session_key_audit(text, text, text, jsonb, text),
	@extschema@.current_session_key(text, text),
	@extschema@.session_new_token(@extschema@.principal_sessions),
	@extschema@.session_rotate(text, text)
TO multitenant_admin;
