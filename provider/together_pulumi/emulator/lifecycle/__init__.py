"""How objects change over (virtual) time: a cluster's state machine (``clusters.py``), its nodes
(``nodes.py``), node remediations (``remediations.py``), and the plausible ids, nodes and kubeconfigs
the service would make up (``fabricate.py``)."""
