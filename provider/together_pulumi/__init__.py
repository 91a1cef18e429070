"""together-pulumi: Together AI Instant GPU Clusters as Pulumi resources.

```python
import together_pulumi as together

data = together.SharedVolume("data", region="us-central-8", size_tib=4)
train = together.GpuCluster("train", region="us-central-8", gpu_type="H100_SXM", num_gpus=16,
                            cluster_type="SLURM", slurm_shm_size_gib=64, volume_id=data.volume_id)
```

Importing this package has no side effects: the Pulumi dynamic provider host imports it to unpickle
providers.
"""

from .api.enums import (
    AddOnType,
    BillingType,
    ClusterStatus,
    ClusterType,
    DcgmDiagLevel,
    GpuType,
    LoadBalancer,
    RemediationMode,
    RemediationState,
    RemediationTrigger,
)
from .program.functions.common import FunctionError
from .program.functions.lookups import (
    ClusterInfo,
    ClusterVolumeInfo,
    ControlPlaneNodeInfo,
    GpuWorkerNodeInfo,
    NodeRemediationInfo,
    SharedVolumeInfo,
    get_cluster,
    get_cluster_output,
    get_shared_volume,
    get_shared_volume_output,
    list_clusters,
    list_clusters_output,
    list_shared_volumes,
    list_shared_volumes_output,
)
from .program.functions.projects import ProjectInfo, list_projects, list_projects_output
from .program.functions.regions import DriverVersionInfo, RegionInfo, get_regions, get_regions_output
from .program.functions.remediations import (
    RemediationAlertInfo,
    RemediationInfo,
    get_remediation,
    get_remediation_output,
    list_remediations,
    list_remediations_output,
)
from .program.gpu_cluster.component import (
    AcceptanceTestsParamsArgs,
    AddOnArgs,
    AddOnConfigArgs,
    ClusterConfigArgs,
    EnabledFlagArgs,
    GpuCluster,
    GpuClusterArgs,
    InlineSharedVolumeArgs,
    OidcConfigArgs,
    SlurmStartupScriptsArgs,
)
from .program.shared_volume.resource import SharedVolume, SharedVolumeArgs

__all__ = [
    "AcceptanceTestsParamsArgs",
    "AddOnArgs",
    "AddOnConfigArgs",
    "AddOnType",
    "BillingType",
    "ClusterConfigArgs",
    "ClusterInfo",
    "ClusterStatus",
    "ClusterType",
    "ClusterVolumeInfo",
    "ControlPlaneNodeInfo",
    "DcgmDiagLevel",
    "DriverVersionInfo",
    "EnabledFlagArgs",
    "FunctionError",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuType",
    "GpuWorkerNodeInfo",
    "InlineSharedVolumeArgs",
    "LoadBalancer",
    "NodeRemediationInfo",
    "OidcConfigArgs",
    "ProjectInfo",
    "RegionInfo",
    "RemediationAlertInfo",
    "RemediationInfo",
    "RemediationMode",
    "RemediationState",
    "RemediationTrigger",
    "SharedVolume",
    "SharedVolumeArgs",
    "SharedVolumeInfo",
    "SlurmStartupScriptsArgs",
    "get_cluster",
    "get_cluster_output",
    "get_regions",
    "get_regions_output",
    "get_remediation",
    "get_remediation_output",
    "get_shared_volume",
    "get_shared_volume_output",
    "list_clusters",
    "list_clusters_output",
    "list_projects",
    "list_projects_output",
    "list_remediations",
    "list_remediations_output",
    "list_shared_volumes",
    "list_shared_volumes_output",
]
