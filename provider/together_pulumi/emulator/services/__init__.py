"""The API's operations, one service per area (clusters, volumes, identity and projects,
remediations, and the admin API's out-of-band changes): validate the request (``..validation``),
change the state (``..state``) under its lock, answer in the service's JSON (``..state.render``)."""
