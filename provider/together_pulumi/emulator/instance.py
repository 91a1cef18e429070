"""One running emulator: its settings, store, services, fault injector and request log."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import EmulatorConfig
from .faults import FaultConfig, FaultInjector
from .middleware import RequestLog
from .services.admin import AdminService
from .services.clusters import ClusterService
from .services.identity import IdentityService
from .services.remediations import RemediationService
from .services.volumes import VolumeService
from .state.store import Store

__all__ = ["Emulator"]


@dataclass
class Emulator:
    """Everything one running emulator owns; reachable as ``app.state.emulator``."""

    config: EmulatorConfig
    store: Store
    faults: FaultInjector
    log: RequestLog = field(default_factory=RequestLog)

    def __post_init__(self) -> None:
        self.clusters = ClusterService(self.store)
        self.volumes = VolumeService(self.store)
        self.admin = AdminService(self.store)
        self.identity = IdentityService(self.store)
        self.remediations = RemediationService(self.store)

    @classmethod
    def from_config(cls, config: EmulatorConfig) -> Emulator:
        """A fresh emulator (loading ``config.state_file`` if it exists)."""
        return cls(config=config, store=Store(config), faults=FaultInjector(config.faults))

    def reset(self) -> None:
        """No clusters, volumes or log; faults off (seed kept); clock back to real time."""
        self.store.reset()
        self.faults.configure(FaultConfig(seed=self.config.seed), reseed=True)
        self.log.clear()
