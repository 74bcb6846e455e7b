// The fresh profile of DashboardTest's Firefox (Firefox.java): the machine is closed, so everything Firefox would
// fetch on its own is switched off and the start is quiet. Names as in Firefox's own test profiles and geckodriver's
// defaults; the remote agent sets more of them itself (remote.prefs.recommended), but only once it runs.

// application, add-on and plugin (OpenH264) updates
user_pref("app.update.disabledForTesting", true);
user_pref("app.update.auto", false);
user_pref("app.update.checkInstallTime", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("media.gmp-manager.updateEnabled", false);

// telemetry and health reports
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("toolkit.telemetry.server", "");
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
user_pref("datareporting.policy.firstRunURL", "");

// Normandy and Nimbus (studies, experiments and rollouts); Nimbus itself stays on for Firefox Labs unless a system
// policy says otherwise, and fails once on the dummy server below (an RSLoader line on stdout, no network)
user_pref("app.normandy.enabled", false);
user_pref("app.normandy.api_url", "");
user_pref("app.shield.optoutstudies.enabled", false);
user_pref("nimbus.rollouts.enabled", false);

// captive-portal and connectivity checks
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("captivedetect.canonicalURL", "");

// safe browsing lists
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.downloads.remote.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("browser.safebrowsing.passwords.enabled", false);

// remote settings (blocklists, certificate lists, search configuration, Nimbus): a server that is no server, the one
// Firefox's own test profiles use. A release build heeds it only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the
// environment (Firefox.java sets it); without, it looks up firefox.settings.services.mozilla.com at start.
user_pref("services.settings.server", "data:,#remote-settings-dummy/v1");
user_pref("security.remote_settings.intermediates.enabled", false);
user_pref("security.remote_settings.crlite_filters.enabled", false);

// region and search lookups, geolocation, push, DNS over HTTPS, prefetching
user_pref("browser.region.network.url", "");
user_pref("browser.region.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("geo.provider.network.url", "");
user_pref("dom.push.connection.enabled", false);
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("security.certerrors.mitm.priming.enabled", false);

// a blank start: no welcome, new-tab feeds, default-browser check, restored session or profile backup
user_pref("browser.startup.page", 0);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "about:blank");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.newtabpage.activity-stream.feeds.topsites", false);
user_pref("browser.newtabpage.activity-stream.feeds.section.topstories", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("toolkit.startup.max_resumed_crashes", -1);
user_pref("browser.backup.enabled", false);
