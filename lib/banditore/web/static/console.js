// Progressive enhancement only: every console page works without it.
"use strict";
