module.exports = () => "dep";
