module.exports = () => "lib+" + require("tiny-dep")();
