package dev.flowrec.recorder.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CgroupIdsTest
{
    private static final String ID = "3f4b9f2c1d0e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        # cgroup path (ID stands for the 64-hex id)                                                               | runtime
        /docker/ID                                                                                                 | docker
        /system.slice/docker-ID.scope                                                                              | docker
        /docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/docker/ID                         | docker
        /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8e1f9c2a_4b3d_4c5e_9f6a_7b8c9d0e1f2a.slice/docker-ID.scope | docker
        /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8e1f9c2a_4b3d_4c5e_9f6a_7b8c9d0e1f2a.slice/cri-containerd-ID.scope | containerd
        /kubepods.slice/kubepods-pod8e1f9c2a_4b3d_4c5e_9f6a_7b8c9d0e1f2a.slice/cri-containerd-ID.scope             | containerd
        /kubepods/burstable/pod8e1f9c2a-4b3d-4c5e-9f6a-7b8c9d0e1f2a/ID                                             | containerd
        /kubepods/pod8e1f9c2a-4b3d-4c5e-9f6a-7b8c9d0e1f2a/ID                                                       | containerd
        /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8e1f9c2a_4b3d_4c5e_9f6a_7b8c9d0e1f2a.slice/crio-ID.scope | crio
        /kubepods/besteffort/pod8e1f9c2a-4b3d-4c5e-9f6a-7b8c9d0e1f2a/crio-ID                                       | crio
        /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8e1f9c2a_4b3d_4c5e_9f6a_7b8c9d0e1f2a.slice/crio-conmon-ID.scope | -
        /machine.slice/libpod-ID.scope                                                                             | podman
        /machine.slice/libpod-ID.scope/container                                                                   | podman
        /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-ID.scope                                   | podman
        /libpod_parent/libpod-ID                                                                                   | podman
        /machine.slice/libpod-conmon-ID.scope                                                                      | -
        /                                                                                                          | -
        /user.slice/user-0.slice/session-3.scope                                                                   | -
        /system.slice/docker.service                                                                               | -
        /system.slice/docker-notanid.scope                                                                         | -
        /system.slice/containerd.service                                                                           | -
        /ID                                                                                                        | -
        """)
    void shouldRecogniseRuntimeAndId(final String path, final String runtime)
    {
        final CgroupIds.RuntimeId id = CgroupIds.recognise(path.replace("ID", ID));
        if (runtime == null)
        {
            assertNull(id, path);
        }
        else
        {
            assertEquals(new CgroupIds.RuntimeId(runtime, ID), id, path);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        # /proc/PID/cgroup of a hybrid v1+v2 host, lines joined by ';'                                         | runtime | path
        12:pids:/docker/ID;9:name=systemd:/docker/ID;0::/                                                     | docker  | /docker/ID
        9:name=systemd:/;4:memory:/process_api/x;0::/system.slice/docker-ID.scope                             | docker  | /system.slice/docker-ID.scope
        1:name=systemd:/machine.slice/libpod-ID.scope;0::/machine.slice/libpod-ID.scope/container             | podman  | /machine.slice/libpod-ID.scope
        0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podaa_bb.slice/crio-conmon-ID.scope  | -       | -
        9:name=systemd:/;0::/                                                                                 | -       | -
        """)
    void shouldRecogniseAnyLineOfAProcCgroupFile(final String file, final String runtime, final String path)
    {
        final String[] found = new String[1];
        final CgroupIds.RuntimeId id = CgroupIds.recogniseFile(file.replace("ID", ID).replace(';', '\n'), found);
        if (runtime == null)
        {
            assertNull(id, file);
        }
        else
        {
            assertEquals(new CgroupIds.RuntimeId(runtime, ID), id);
            assertEquals(path.replace("ID", ID), found[0]);
        }
    }
}
