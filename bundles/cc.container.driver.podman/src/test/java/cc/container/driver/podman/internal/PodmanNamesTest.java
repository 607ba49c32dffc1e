package cc.container.driver.podman.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The names the Podman driver gives images, and what it reads of podman load. */
class PodmanNamesTest {
	@Test
	void imageNamesAreValidForAnyIdAndVersion() {
		assertThat(PodmanDriver.imageRef("LVGL-Demo", "1.2.0+build/7")).isEqualTo("localhost/cc-container-mng/lvgl-demo:1.2.0_build_7");
		assertThat(PodmanDriver.imageRef("a", null)).isEqualTo("localhost/cc-container-mng/a:latest");
		assertThat(PodmanDriver.imageRef("a", "-rc")).isEqualTo("localhost/cc-container-mng/a:v-rc");
		assertThat(PodmanDriver.loadedImages("Getting image source signatures\nLoaded image: localhost/bb:1\n"))
			.containsExactly("localhost/bb:1");
		assertThat(PodmanDriver.loadedImages("Loaded image(s): a:1,b:2")).containsExactly("a:1", "b:2");
	}
}
